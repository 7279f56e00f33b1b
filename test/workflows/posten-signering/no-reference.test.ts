import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureStatusPoller } from '../../../activities/posten-signering/runtime';
import {
  postenJobProgressQuery,
  postenUnownedStateQuery,
  unownedJobWorkflowId,
} from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult, UnownedJobResult } from '../../../src/contract/posten-signering';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { recordHistory } from '../../harness/histories';
import { pin, signerWithPin, startTestbed, type Testbed } from './harness';

/**
 * `reference` is optional in Posten's status-change XSD and absent from its examples; the seed correlates by
 * `signature-job-id`. With the simulator leaving it out, changes reach their job workflow through the
 * `PostenSignatureJobId` search attribute, and a change whose owner is not found is held, never confirmed (even with
 * the ADOPT policy).
 */
describe('posten signering: status changes without reference', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed({
      rules: { omitReference: true },
      extraEnv: { POSTEN_SIGNERING_UNOWNED_POLICY: 'ADOPT' },
    });
    await bed.startWorker();
    await ensureStatusPoller(bed.env.client, bed.taskQueue, bed.sender);
  });
  after(() => bed.close());

  it('are routed to the job workflow by the Posten job id it publishes as a search attribute', async () => {
    const handle = await bed.startJob(await bed.job('no-ref-1', [signerWithPin(71), signerWithPin(72)]));
    const jobId = await bed.jobIdOf('no-ref-1');
    await bed.waitFor('the job id is searchable', async () => {
      const description = await handle.describe();
      return description.typedSearchAttributes.get(searchAttributes.postenSignatureJobId) === jobId;
    });
    bed.sim.model.sign(jobId, 1);
    await bed.waitFor('the first change reached the job', async () => {
      return (await handle.query(postenJobProgressQuery)).changesProcessed === 1;
    });
    bed.sim.model.sign(jobId, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.deepEqual(result.documentsMissing, []);
    assert.deepEqual(
      bed.sim.model.deliveriesOf(jobId).map((d) => d.confirmations),
      [1, 1],
    );
    assert.equal(bed.sim.model.stats.changesDelivered, 2);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-no-reference');

    // The final change comes back after the job workflow closed: a late redelivery, found by the same attribute.
    await bed.control.post(`/control/jobs/${jobId}/redeliver`);
    const late = bed.env.client.workflow.getHandle(unownedJobWorkflowId(bed.sender, jobId));
    await bed.waitFor('the late redelivery was handled', async () => {
      const d = await late.describe().catch(() => undefined);
      return d?.status.name === 'COMPLETED';
    });
    assert.equal(((await late.result()) as UnownedJobResult).decision, 'CONFIRMED_LATE_REDELIVERY');
  });

  it('a change whose owner is not found is held unconfirmed, whatever the policy', async () => {
    const job = bed.sim.model.createJob({
      sender: bed.sender,
      reference: 'outside-no-ref',
      signers: [{ pin: pin(73), order: 0 }],
      documents: new Map([['0000_doc.pdf', Buffer.from('%PDF-1.4 outside')]]),
    });
    bed.sim.model.sign(job.id, 1);
    const handle = bed.env.client.workflow.getHandle(unownedJobWorkflowId(bed.sender, job.id));
    await bed.waitFor('held with its documents stored', async () => {
      const state = await handle.query(postenUnownedStateQuery).catch(() => undefined);
      return !!state && state.held && state.padesStored;
    });
    assert.deepEqual(
      bed.sim.model.deliveriesOf(job.id).map((d) => d.confirmations),
      [0],
      'nothing confirmed',
    );
    assert.equal(job.finalized, false);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-unowned-no-reference-held');
  });
});
