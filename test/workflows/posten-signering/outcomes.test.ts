import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { recordHistory } from '../../harness/histories';
import { signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signature job: rejection, expiry, unknown statuses, invalid input', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
  });
  after(() => bed.close());

  it('a rejection ends the job FAILED; the others become NOT_APPLICABLE; the change is confirmed', async () => {
    const handle = await bed.startJob(
      await bed.job('reject-1', [signerWithPin(11), signerWithPin(12), signerWithPin(13, 1)]),
    );
    const jobId = await bed.jobIdOf('reject-1');
    bed.sim.model.sign(jobId, 1);
    bed.sim.model.reject(jobId, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'FAILED');
    assert.deepEqual(
      result.signers.map((s) => s.status),
      ['SIGNED', 'REJECTED', 'NOT_APPLICABLE'],
    );
    assert.ok(result.signers[0].xades, 'what was signed before the rejection is kept');
    assert.ok(result.pades, 'the PAdES with the signatures made so far is kept');
    assert.equal(bed.sim.model.jobs.get(jobId)?.finalized, true);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-rejected');
  });

  it('expiry ends the job FAILED with EXPIRED signers', async () => {
    const handle = await bed.startJob(
      await bed.job('expire-1', [signerWithPin(21), signerWithPin(22, 1)], {
        availability: { availableSeconds: 2 },
      }),
    );
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'FAILED');
    assert.deepEqual(
      result.signers.map((s) => s.status),
      ['EXPIRED', 'NOT_APPLICABLE'],
    );
    assert.equal(result.pades, undefined);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-expired');
  });

  it('an unknown signer status is kept and tolerated; the job status decides', async () => {
    const handle = await bed.startJob(await bed.job('unknown-1', [signerWithPin(31), signerWithPin(32)]));
    const jobId = await bed.jobIdOf('unknown-1');
    bed.sim.model.setSignerStatus(jobId, 1, 'FUTURE_STATUS_2030');
    await bed.waitFor(
      'unknown status confirmed',
      () => bed.sim.model.unconfirmedDeliveries() === 0 && bed.sim.model.stats.changesDelivered > 0,
    );
    bed.sim.model.sign(jobId, 2);
    bed.sim.model.expire(jobId);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'FAILED');
    assert.equal(result.signers[0].status, 'FUTURE_STATUS_2030');
    assert.equal(result.signers[1].status, 'SIGNED');
  });

  it('invalid input fails with FerjeInvalidInput before anything reaches Posten, naming fields but not values', async () => {
    const creates = bed.sim.model.stats.creates;
    const input = await bed.job('invalid-1', [
      { personalIdentificationNumber: '1234', notifications: { email: 'not-an-address' } },
      { notificationsUsingLookup: {} },
    ]);
    input.title = 'x'.repeat(81);
    const handle = await bed.startJob(input);
    const err = await handle.result().then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, commonFailureTypes.invalidInput);
    assert.match(err.cause.message, /\/signers\/0\/personalIdentificationNumber must be 11 digits/);
    assert.match(err.cause.message, /\/signers\/1\/notificationsUsingLookup/);
    assert.match(err.cause.message, /\/title must be 1-80/);
    assert.ok(!err.cause.message.includes('not-an-address'));
    assert.equal(bed.sim.model.stats.creates, creates, 'nothing was sent');
  });
});
