import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postenJobProgressQuery } from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import type { ChangeQueueMode, ConfirmScope } from '../../../src/simulators/posten-signering/options';
import { recordHistory } from '../../harness/histories';
import { signerWithPin, startTestbed, type Testbed } from './harness';

/**
 * Posten queues every change (the seed delivers an intermediate IN_PROGRESS), and its confirmation URL names the job,
 * not the change. With the poller asleep (5 s between empty polls) three signers act one at a time: the poller then
 * fetches three changes back to back. Under both plausible confirm scopes every change is routed, stored and confirmed
 * once, and the final change is never acknowledged before its PAdES is stored.
 */
const variants: [ChangeQueueMode, ConfirmScope][] = [
  ['every-change', 'oldest'],
  ['every-change', 'all-fetched'],
  ['latest-per-job', 'all-fetched'],
];
for (const [changeQueue, confirmScope] of variants) {
  const every = changeQueue === 'every-change';
  describe(`posten signature job: queue ${changeQueue}, confirm scope ${confirmScope}`, () => {
    let bed: Testbed;
    before(async () => {
      bed = await startTestbed({ rules: { emptyQueuePollDelayMs: 5000, changeQueue, confirmScope } });
      await bed.startWorker();
    });
    after(() => bed.close());

    it('signers acting one at a time between polls: each intermediate change delivered, routed, confirmed once', async () => {
      const reference = `queue-${changeQueue}-${confirmScope}`;
      const handle = await bed.startJob(
        await bed.job(reference, [signerWithPin(61), signerWithPin(62), signerWithPin(63)]),
      );
      const jobId = await bed.jobIdOf(reference);
      // Wait for an empty poll after the create: the poller now sleeps for 5 s.
      const polls = bed.sim.model.stats.polls;
      await bed.waitFor('an empty poll after the create', () => bed.sim.model.stats.polls > polls);
      for (const signer of [1, 2, 3]) bed.sim.model.sign(jobId, signer);
      assert.equal(bed.sim.model.queueLength(bed.sender, ''), every ? 3 : 1, 'what waits for the sleeping poller');

      const result = (await handle.result()) as PostenSignatureJobResult;
      assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
      assert.deepEqual(result.documentsMissing, []);
      assert.ok(result.pades, 'the PAdES is stored');
      assert.ok(
        result.signers.every((s) => s.xades),
        'every XAdES is stored',
      );
      const progress = await handle.query(postenJobProgressQuery);
      assert.equal(progress.redeliveriesRecognised, 0);
      if (!every) {
        // Merged by the queue: one change, COMPLETED, with all three XAdES offered at once.
        assert.equal(progress.changesProcessed, 1);
        assert.deepEqual(
          bed.sim.model.deliveriesOf(jobId).map((d) => d.confirmations),
          [1],
        );
        assert.equal(bed.sim.model.stats.finalizedWithoutPades, 0);
        return;
      }
      assert.equal(progress.changesProcessed, 3, 'IN_PROGRESS (1 signed), IN_PROGRESS (2 signed), COMPLETED');

      const stats = bed.sim.model.stats;
      const deliveries = bed.sim.model.deliveriesOf(jobId);
      assert.equal(deliveries.length, 3, 'three deliveries, no redelivery');
      assert.equal(stats.finalizedWithoutPades, 0, 'no final change acknowledged before its PAdES was fetched');
      assert.equal(bed.sim.model.jobs.get(jobId)?.finalized, true);
      if (confirmScope === 'oldest') {
        assert.deepEqual(
          deliveries.map((d) => d.confirmations),
          [1, 1, 1],
          'each change confirmed once',
        );
        assert.equal(stats.duplicateConfirms, 0);
      } else {
        // The first confirmation acknowledged all three (stored by then); the other two find nothing left.
        assert.equal(stats.newerChangesConfirmed, 2);
        assert.equal(stats.duplicateConfirms, 2);
      }
      assert.equal(stats.confirms, 3, 'one confirmation per change received');
      await recordHistory(bed.env.client, handle.workflowId, `posten-signering-job-every-change-${confirmScope}`);
    });
  });
}
