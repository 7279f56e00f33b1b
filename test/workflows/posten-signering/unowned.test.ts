import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureStatusPoller } from '../../../activities/posten-signering/runtime';
import {
  unownedJobWorkflowId,
  postenReleaseUnownedUpdate,
  postenUnownedStateQuery,
} from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult, UnownedJobResult } from '../../../src/contract/posten-signering';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { recordHistory } from '../../harness/histories';
import { assertNoPersonalData, operatorView, pin, signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signering: status changes no job workflow owns', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed({ rules: { redeliveryMs: 1500 } });
    await bed.startWorker();
    await ensureStatusPoller(bed.env.client, bed.taskQueue, bed.sender);
  });
  after(() => bed.close());

  it('a job created outside Ferje: documents stored, held unconfirmed (redeliveries absorbed) until an operator confirms', async () => {
    const job = bed.sim.model.createJob({
      sender: bed.sender,
      reference: 'outside-1',
      signers: [{ pin: pin(101), order: 0 }],
      documents: new Map([['0000_doc.pdf', Buffer.from('%PDF-1.4 outside')]]),
    });
    bed.sim.model.sign(job.id, 1);
    const handle = bed.env.client.workflow.getHandle(unownedJobWorkflowId(bed.sender, job.id));
    await bed.waitFor('held with documents stored and a redelivery absorbed', async () => {
      const state = await handle.query(postenUnownedStateQuery).catch(() => undefined);
      return !!state && state.held && state.xadesStored === 1 && state.padesStored && state.changesReceived >= 2;
    });
    assert.equal(bed.sim.model.stats.confirms, 0, 'nothing confirmed blindly');
    assert.equal(job.finalized, false);
    assert.equal(bed.sim.model.stats.downloads, 2, 'redeliveries did not download again');
    const description = await handle.describe();
    assert.equal(description.status.name, 'RUNNING');

    const outcome = await handle.executeUpdate(postenReleaseUnownedUpdate, { args: [{ action: 'CONFIRM' }] });
    assert.deepEqual(outcome, { confirmed: true });
    const result = (await handle.result()) as UnownedJobResult;
    assert.equal(result.decision, 'CONFIRMED_BY_OPERATOR');
    assert.equal(result.jobStatus, 'COMPLETED_SUCCESSFULLY');
    assert.equal(result.xades.length, 1);
    assert.ok(result.pades);
    assert.equal(job.finalized, true);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-unowned-held-then-confirmed');
  });

  it('a second job for the reference of a completed Ferje job is cancelled, its signatures kept, its changes confirmed', async () => {
    const owner = await bed.startJob(await bed.job('late-1', [signerWithPin(102)]));
    const ownedId = await bed.jobIdOf('late-1');
    bed.sim.model.sign(ownedId, 1);
    const ownerResult = (await owner.result()) as PostenSignatureJobResult;
    assert.equal(ownerResult.status, 'COMPLETED_SUCCESSFULLY');
    // A job Posten created from an earlier attempt whose answer was lost, noticed only now.
    const duplicate = bed.sim.model.createJob({
      sender: bed.sender,
      reference: 'late-1',
      signers: [
        { pin: pin(102), order: 0 },
        { pin: pin(103), order: 0 },
      ],
      documents: new Map([['0000_doc.pdf', Buffer.from('%PDF-1.4 dup')]]),
    });
    bed.sim.model.sign(duplicate.id, 1);
    const handle = bed.env.client.workflow.getHandle(unownedJobWorkflowId(bed.sender, duplicate.id));
    await bed.waitFor('unowned workflow started', () =>
      handle.describe().then(
        () => true,
        () => false,
      ),
    );
    const result = (await handle.result()) as UnownedJobResult;
    assert.equal(result.decision, 'CANCELLED_DUPLICATE');
    assert.equal(result.jobStatus, 'FAILED');
    assert.equal(result.xades.length, 1, 'the signature made on the duplicate is kept');
    assert.ok(result.pades);
    assert.deepEqual(
      duplicate.signers.map((s) => s.status),
      ['SIGNED', 'CANCELLED'],
    );
    assert.equal(duplicate.finalized, true);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-unowned-duplicate');
  });

  it('a change redelivered after its job workflow completed is confirmed without side effects (not held)', async () => {
    const signer = signerWithPin(104);
    const owner = await bed.startJob(await bed.job('late-redelivery-1', [signer]));
    const jobId = await bed.jobIdOf('late-redelivery-1');
    await bed.control.post(`/control/jobs/${jobId}/signers/1/sign`);
    const ownerResult = (await owner.result()) as PostenSignatureJobResult;
    assert.equal(ownerResult.status, 'COMPLETED_SUCCESSFULLY');
    const ownerEvents = (await owner.describe()).historyLength;
    const blobsBefore = bed.storedBlobs();
    const statsBefore = await bed.control.stats();
    assert.deepEqual(
      (await bed.control.job(jobId)).deliveries.map((d) => d.confirmations),
      [1],
      'the job workflow confirmed its final change',
    );

    // The confirmation reached Posten too late (or was lost): the final change comes back after its owner finished.
    await bed.control.post(`/control/jobs/${jobId}/redeliver`);
    const handle = bed.env.client.workflow.getHandle(unownedJobWorkflowId(bed.sender, jobId));
    await bed.waitFor('unowned workflow started', () =>
      handle.describe().then(
        () => true,
        () => false,
      ),
    );
    const result = (await handle.result()) as UnownedJobResult;
    assert.deepEqual(result, {
      signatureJobId: jobId,
      jobStatus: 'COMPLETED_SUCCESSFULLY',
      decision: 'CONFIRMED_LATE_REDELIVERY',
      xades: [],
      documentsMissing: [],
    });

    const statsAfter = await bed.control.stats();
    assert.equal(statsAfter.redeliveries - statsBefore.redeliveries, 1);
    assert.equal(statsAfter.confirms - statsBefore.confirms, 1, 'the redelivered change confirmed once');
    assert.equal(statsAfter.duplicateConfirms - statsBefore.duplicateConfirms, 0);
    assert.equal(statsAfter.downloads - statsBefore.downloads, 0, 'nothing downloaded again');
    assert.equal(statsAfter.cancels - statsBefore.cancels, 0);
    assert.deepEqual(
      (await bed.control.job(jobId)).deliveries.map((d) => d.confirmations),
      [1, 1],
      'the original delivery and the redelivery, each confirmed once',
    );
    assert.deepEqual(bed.storedBlobs(), blobsBefore, 'nothing new in the blob store');
    assert.equal((await owner.describe()).historyLength, ownerEvents, 'the completed job workflow is untouched');

    const state = await handle.query(postenUnownedStateQuery);
    assert.equal(state.held, false);
    assert.equal(state.changesReceived, 1);
    assert.equal(state.confirmed, 1);
    assert.equal(state.xadesStored, 0);
    assert.equal(state.padesStored, false);
    const description = await handle.describe();
    assert.equal(description.status.name, 'COMPLETED');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'COMPLETED_SUCCESSFULLY');
    const view = await operatorView(bed.env.client, handle.workflowId);
    assert.ok(view.some((t) => t.includes(`**Unowned Posten job** \`${jobId}\` · LATE_REDELIVERY`)));
    await assertNoPersonalData(bed.env.client, handle.workflowId, [
      signer.personalIdentificationNumber!,
      signer.notifications!.email!,
    ]);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-unowned-late-redelivery');
  });
});
