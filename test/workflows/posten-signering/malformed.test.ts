import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signering: malformed XML from the server', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed({ rules: { redeliveryMs: 1500 } });
    await bed.startWorker();
  });
  after(() => bed.close());

  it('a malformed status change fails the drain with FerjeMalformedResponse; Posten redelivers it; nothing is lost', async () => {
    const handle = await bed.startJob(await bed.job('malformed-1', [signerWithPin(61)]));
    const jobId = await bed.jobIdOf('malformed-1');
    bed.sim.faults.add({ route: 'poll', kind: 'malformedXml', times: 1 });
    bed.sim.model.sign(jobId, 1);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.ok(result.signers[0].xades && result.pades);
    assert.ok(bed.sim.model.stats.redeliveries >= 1);
    assert.equal(bed.sim.model.stats.duplicateConfirms, 0);
  });

  it("a malformed answer to create counts as an unknown outcome: the retry's duplicate job is cancelled", async () => {
    bed.sim.faults.add({ route: 'create', kind: 'malformedXml', times: 1 });
    const handle = await bed.startJob(await bed.job('malformed-2', [signerWithPin(62), signerWithPin(63)]));
    await bed.waitFor(
      'two jobs for the reference',
      () => [...bed.sim.model.jobs.values()].filter((j) => j.reference === 'malformed-2').length === 2,
    );
    const [first, second] = [...bed.sim.model.jobs.values()].filter((j) => j.reference === 'malformed-2');
    bed.sim.model.sign(first.id, 1);
    await bed.waitFor('the duplicate is cancelled', () => first.status === 'FAILED' && first.finalized);
    bed.sim.model.sign(second.id, 1);
    bed.sim.model.sign(second.id, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.signatureJobId, second.id);
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(result.duplicateJobs.length, 1);
    assert.equal(result.duplicateJobs[0].signatureJobId, first.id);
    assert.equal(result.duplicateJobs[0].outcome, 'CANCELLED');
    assert.ok(result.duplicateJobs[0].pades, 'what was signed on the duplicate is kept');
  });
});
