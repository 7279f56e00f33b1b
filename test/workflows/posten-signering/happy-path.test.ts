import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { postenJobProgressQuery } from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { recordHistory } from '../../harness/histories';
import { revealsMarker } from '../../harness/plaintext';
import { pin, signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signature job: happy path with two order groups (real dev server, simulator over mTLS)', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
  });
  after(() => bed.close());

  it('creates the job, follows both groups, stores XAdES per signer and the PAdES, confirms every change once', async () => {
    const input = await bed.job('happy-1', [
      signerWithPin(1, 1),
      { order: 2, notifications: { email: 'second@example.com', mobile: '+4791234567' } },
    ]);
    const handle = await bed.startJob(input);
    const jobId = await bed.jobIdOf('happy-1');
    const job = bed.sim.model.jobs.get(jobId)!;
    assert.equal(job.activeOrder, 1, 'only the first group is active');

    bed.sim.model.sign(jobId, 1);
    await bed.waitFor('first change confirmed', () => bed.sim.model.stats.confirms >= 1);
    const progress = await handle.query(postenJobProgressQuery);
    assert.equal(progress.signers[0].status, 'SIGNED');
    assert.ok(progress.signers[0].xades, 'XAdES of signer 1 stored before the confirmation');
    assert.equal(progress.signers[1].status, 'WAITING');
    assert.equal(job.activeOrder, 2, 'second group activated after the first signed');

    bed.sim.model.sign(jobId, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(result.signatureJobId, jobId);
    assert.deepEqual(
      result.signers.map((s) => s.status),
      ['SIGNED', 'SIGNED'],
    );
    for (const [i, signer] of result.signers.entries()) {
      const stored = await readAll(await bed.blobStore.get(signer.xades!));
      assert.deepEqual(stored, job.signers[i].xades, `XAdES of signer ${i + 1} is the simulator's`);
    }
    const pades = await readAll(await bed.blobStore.get(result.pades!));
    assert.match(pades.toString('latin1'), /^%PDF-1\.7/);
    for (const signer of job.signers) assert.ok(pades.includes(signer.xades!), 'the PAdES holds both signatures');
    assert.ok(result.bundle && (await bed.blobStore.has(result.bundle)), 'the bundle that was sent is stored');
    assert.deepEqual(result.duplicateJobs, []);

    const stats = bed.sim.model.stats;
    assert.equal(stats.creates, 1);
    assert.equal(stats.changesDelivered, 2);
    assert.equal(stats.confirms, 2);
    assert.equal(stats.duplicateConfirms, 0);
    assert.equal(stats.downloads, 3, 'two XAdES and one PAdES, each once');
    assert.equal(stats.http429, 0);
    assert.ok(job.finalized, 'the final confirmation finalised the job at Posten');

    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'COMPLETED_SUCCESSFULLY');
    const history = historyToJSON(await handle.fetchHistory());
    for (const marker of [pin(1), 'second@example.com', '4791234567']) {
      assert.ok(!revealsMarker(history, marker), 'no personal data readable in the history');
    }
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-two-groups');
    await recordHistory(bed.env.client, `posten-poller/${bed.sender}/_default`, 'posten-signering-poller-running');
  });
});

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
