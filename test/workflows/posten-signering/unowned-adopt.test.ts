import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureStatusPoller } from '../../../activities/posten-signering/runtime';
import {
  signatureJobWorkflowId,
  unownedJobWorkflowId,
  postenUnownedStateQuery,
} from '../../../src/contract/posten-signering';
import type { UnownedJobResult } from '../../../src/contract/posten-signering';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { recordHistory } from '../../harness/histories';
import { assertNoPersonalData, operatorView, pin, startTestbed, type Testbed } from './harness';

describe('posten signering: unowned jobs with POSTEN_SIGNERING_UNOWNED_POLICY=ADOPT (redelivery time 1.5 s)', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed({
      rules: { redeliveryMs: 1500 },
      extraEnv: { POSTEN_SIGNERING_UNOWNED_POLICY: 'ADOPT' },
    });
    await bed.startWorker();
    await ensureStatusPoller(bed.env.client, bed.taskQueue, bed.sender);
  });
  after(() => bed.close());

  it('a job created outside Ferje is adopted: each change stored, then confirmed once; redeliveries download nothing', async () => {
    const email = 'adopt.signer@example.com';
    const job = bed.sim.model.createJob({
      sender: bed.sender,
      reference: 'outside-adopt-1',
      signers: [
        { pin: pin(201), order: 0 },
        { email, order: 1 },
      ],
      documents: new Map([['0000_doc.pdf', Buffer.from('%PDF-1.4 adopted')]]),
    });
    const handle = bed.env.client.workflow.getHandle(unownedJobWorkflowId(bed.sender, job.id));
    const blobsBefore = bed.storedBlobs();
    // The first confirmation fails three times (retried after 1, 2 and 4 s), so Posten redelivers the change
    // while the workflow is still confirming it.
    bed.sim.faults.add({ route: 'confirm', kind: 'status5xx', times: 3 });
    await bed.control.post(`/control/jobs/${job.id}/signers/1/sign`);
    await bed.waitFor('the first change and its redeliveries confirmed', async () => {
      const state = await handle.query(postenUnownedStateQuery).catch(() => undefined);
      const deliveries = (await bed.control.job(job.id)).deliveries;
      return (
        !!state &&
        state.changesReceived >= 2 &&
        state.confirmed === state.changesReceived &&
        deliveries.length === state.changesReceived
      );
    });
    const midway = await handle.query(postenUnownedStateQuery);
    assert.equal(midway.held, false, 'never held for an operator');
    assert.equal(midway.jobStatus, 'IN_PROGRESS');
    assert.equal(midway.xadesStored, 1);
    assert.equal(midway.padesStored, false, 'no PAdES before the job ends');
    let stats = await bed.control.stats();
    assert.ok(stats.redeliveries >= 1, 'Posten redelivered the change while its confirmation failed');
    assert.equal(stats.downloads, 1, 'the redeliveries downloaded nothing');
    assert.equal((await handle.describe()).typedSearchAttributes.get(searchAttributes.status), 'IN_PROGRESS');

    await bed.control.post(`/control/jobs/${job.id}/signers/2/sign`);
    const result = (await handle.result()) as UnownedJobResult;
    assert.equal(result.decision, 'ADOPTED');
    assert.equal(result.signatureJobId, job.id);
    assert.equal(result.jobStatus, 'COMPLETED_SUCCESSFULLY');

    // What was stored: each signer's XAdES exactly as Posten served it, and the final PAdES.
    assert.equal(result.xades.length, 2);
    for (const [i, ref] of result.xades.entries()) {
      assert.deepEqual(await readAll(await bed.blobStore.get(ref)), job.signers[i].xades, `XAdES #${i + 1}`);
    }
    assert.ok(result.pades);
    const pades = await readAll(await bed.blobStore.get(result.pades));
    for (const signer of job.signers) assert.ok(pades.includes(signer.xades!), 'the PAdES holds both signatures');
    assert.deepEqual(
      bed.storedBlobs(),
      [...blobsBefore, ...[...result.xades, result.pades].map((ref) => ref.sha256)].sort(),
      'exactly these three documents were added to the blob store',
    );

    // What was confirmed: every delivery exactly once, and the final confirmation finalised the job at Posten.
    stats = await bed.control.stats();
    const simJob = await bed.control.job(job.id);
    assert.ok(simJob.deliveries.length >= 3, 'two changes and at least one redelivery');
    assert.deepEqual(
      simJob.deliveries.map((d) => d.confirmations),
      simJob.deliveries.map(() => 1),
      'each delivery confirmed exactly once',
    );
    assert.equal(stats.duplicateConfirms, 0);
    assert.equal(stats.downloads, 3, 'two XAdES and one PAdES, each once');
    assert.equal(simJob.finalized, true);

    const { changesReceived, confirmed, ...state } = await handle.query(postenUnownedStateQuery);
    assert.deepEqual(state, {
      signatureJobId: job.id,
      jobStatus: 'COMPLETED_SUCCESSFULLY',
      held: false,
      ignoredSignals: 0,
      xadesStored: 2,
      padesStored: true,
    });
    assert.equal(changesReceived, simJob.deliveries.length);
    assert.equal(confirmed, simJob.deliveries.length);

    const description = await handle.describe();
    assert.equal(description.status.name, 'COMPLETED');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'COMPLETED_SUCCESSFULLY');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.externalReference), job.id);
    await assert.rejects(
      bed.env.client.workflow.getHandle(signatureJobWorkflowId(bed.sender, 'outside-adopt-1')).describe(),
      'no job workflow was made up for the reference',
    );
    const view = await operatorView(bed.env.client, handle.workflowId);
    assert.ok(view.some((t) => t.includes(`**Unowned Posten job** \`${job.id}\` · ADOPT`)));
    assert.ok(view.includes(`confirm change of job ${job.id}`));
    await assertNoPersonalData(bed.env.client, handle.workflowId, [pin(201), email]);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-unowned-adopted');
  });
});

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
