import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  postenCancelJobSignal,
  postenCancelJobUpdate,
  postenFailureTypes,
} from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { recordHistory } from '../../harness/histories';
import { signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signature job: cancel', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
  });
  after(() => bed.close());

  it('cancel through the update: Posten answers 204, the final FAILED change is processed and confirmed', async () => {
    const handle = await bed.startJob(await bed.job('cancel-1', [signerWithPin(41), signerWithPin(42)]));
    const jobId = await bed.jobIdOf('cancel-1');
    bed.sim.model.sign(jobId, 1);
    const outcome = await handle.executeUpdate(postenCancelJobUpdate, { args: [{ reason: 'no longer needed' }] });
    assert.deepEqual(outcome, { outcome: 'CANCELLATION_REQUESTED' });
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'FAILED');
    assert.equal(result.cancelledBySender, true);
    assert.deepEqual(
      result.signers.map((s) => s.status),
      ['SIGNED', 'CANCELLED'],
    );
    assert.ok(result.signers[0].xades);
    assert.equal(bed.sim.model.jobs.get(jobId)?.finalized, true);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-cancelled');
  });

  it('cancelling a job that already ended at Posten fails the update with PostenJobAlreadyFinished', async () => {
    const handle = await bed.startJob(await bed.job('cancel-2', [signerWithPin(43), signerWithPin(44)]));
    const jobId = await bed.jobIdOf('cancel-2');
    // The job ends at Posten; its change is not delivered yet (the worker is stopped), so the workflow still thinks
    // it runs and asks Posten, which answers 409.
    await bed.stopWorker();
    bed.sim.model.reject(jobId, 1);
    bed.sim.faults.add({ route: 'poll', kind: 'latency', latencyMs: 3000, times: 2 });
    await bed.startWorker();
    const err = await handle.executeUpdate(postenCancelJobUpdate, { args: [{}] }).then(
      () => assert.fail('the update should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowUpdateFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, postenFailureTypes.jobAlreadyFinished);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'FAILED');
    assert.equal(result.cancelledBySender, false);
    assert.equal(result.signers[0].status, 'REJECTED');
  });

  it('cancel through the signal works the same way', async () => {
    const handle = await bed.startJob(await bed.job('cancel-3', [signerWithPin(45)]));
    await bed.jobIdOf('cancel-3');
    await handle.signal(postenCancelJobSignal, {});
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.cancelledBySender, true);
    assert.equal(result.signers[0].status, 'CANCELLED');
  });

  it('cancelling the workflow through Temporal cancels the job at Posten and stores its final change first', async () => {
    const handle = await bed.startJob(await bed.job('cancel-4', [signerWithPin(46), signerWithPin(47)]));
    const jobId = await bed.jobIdOf('cancel-4');
    bed.sim.model.sign(jobId, 1);
    await bed.waitFor(
      'first change confirmed',
      () =>
        bed.sim.model.jobs.get(jobId)!.signers[0].status === 'SIGNED' && bed.sim.model.unconfirmedDeliveries() === 0,
    );
    await handle.cancel();
    const err = await handle.result().then(
      () => assert.fail('should end cancelled'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof CancelledFailure);
    const job = bed.sim.model.jobs.get(jobId)!;
    assert.deepEqual(
      job.signers.map((s) => s.status),
      ['SIGNED', 'CANCELLED'],
    );
    assert.equal(job.finalized, true, 'the final change was confirmed before the workflow ended');
  });
});
