import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postenJobProgressQuery } from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { recordHistory } from '../../harness/histories';
import { signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signature job: redelivered changes (redelivery time shortened to 1.5 s)', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed({ rules: { redeliveryMs: 1500 } });
    await bed.startWorker();
  });
  after(() => bed.close());

  it('a change redelivered while its confirmation is failing is recognised: no second download, no duplicate confirm', async () => {
    const handle = await bed.startJob(await bed.job('redeliver-1', [signerWithPin(51), signerWithPin(52)]));
    const jobId = await bed.jobIdOf('redeliver-1');
    bed.sim.faults.add({ route: 'confirm', kind: 'status5xx', times: 3 });
    const downloadsBefore = bed.sim.model.stats.downloads;
    bed.sim.model.sign(jobId, 1);
    await bed.waitFor('the change was redelivered', () => bed.sim.model.stats.redeliveries >= 1);
    await bed.waitFor('all deliveries confirmed', async () => {
      const p = await handle.query(postenJobProgressQuery);
      return p.redeliveriesRecognised >= 1 && bed.sim.model.unconfirmedDeliveries() === 0;
    });
    assert.equal(bed.sim.model.stats.downloads - downloadsBefore, 1, 'the XAdES was downloaded once');
    bed.sim.model.sign(jobId, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(bed.sim.model.stats.downloads - downloadsBefore, 3, 'two XAdES and one PAdES, each once');
    assert.equal(bed.sim.model.stats.duplicateConfirms, 0);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-redelivery');
  });

  it('a poll whose answer is lost leaves the change leased; it comes back and is processed once', async () => {
    const handle = await bed.startJob(await bed.job('redeliver-2', [signerWithPin(53)]));
    const jobId = await bed.jobIdOf('redeliver-2');
    const before = { ...bed.sim.model.stats };
    bed.sim.faults.add({ route: 'poll', kind: 'dropAfterCommit', times: 1 });
    bed.sim.model.sign(jobId, 1);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    const stats = bed.sim.model.stats;
    assert.ok(stats.redeliveries > before.redeliveries, 'Posten redelivered the change');
    assert.equal(stats.downloads - before.downloads, 2, 'XAdES and PAdES once each');
    assert.equal(stats.duplicateConfirms, 0);
  });
});
