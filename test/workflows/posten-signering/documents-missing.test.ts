import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  postenJobProgressQuery,
  postenReleaseUnownedUpdate,
  postenUnownedStateQuery,
  unownedJobWorkflowId,
  type PostenSignatureJobResult,
  type UnownedJobResult,
} from '../../../src/contract/posten-signering';
import { ensureStatusPoller } from '../../../activities/posten-signering/runtime';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { recordHistory } from '../../harness/histories';
import { pin, signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signering: documents Posten refuses to hand out (404 on download)', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
    await ensureStatusPoller(bed.env.client, bed.taskQueue, bed.sender);
  });
  after(() => bed.close());

  it('a completed job whose XAdES and PAdES answer 404 ends COMPLETED_DOCUMENTS_MISSING, lists them, and is confirmed', async () => {
    const handle = await bed.startJob(await bed.job('missing-1', [signerWithPin(71)]));
    const jobId = await bed.jobIdOf('missing-1');
    const downloadsBefore = bed.sim.model.stats.byRoute.download ?? 0;
    // Both documents of the final change are gone at Posten: the XAdES and the PAdES.
    await bed.control.post('/control/faults', { route: 'download', kind: 'status404', times: 2 });
    bed.sim.model.sign(jobId, 1);
    const result = (await handle.result()) as PostenSignatureJobResult;

    assert.equal(result.status, 'COMPLETED_DOCUMENTS_MISSING', 'never plain success without the documents');
    assert.deepEqual(
      [...result.documentsMissing].sort((a, b) => a.document.localeCompare(b.document)),
      [{ document: 'PADES' }, { document: 'XADES', signerIndex: 0 }],
    );
    assert.equal(result.pades, undefined);
    assert.equal(result.signers[0].xades, undefined);
    assert.equal(result.signers[0].status, 'SIGNED');
    // A 404 is not retried: one request per document, then the job moves on.
    assert.equal((bed.sim.model.stats.byRoute.download ?? 0) - downloadsBefore, 2);
    // Confirmed after the gap was recorded durably: Posten finalises the job instead of redelivering it forever.
    assert.equal(bed.sim.model.jobs.get(jobId)?.finalized, true);
    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'COMPLETED_DOCUMENTS_MISSING');
    const progress = await handle.query(postenJobProgressQuery);
    assert.equal(progress.documentsMissing.length, 2);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-documents-missing');
  });

  it('a refused XAdES on the way is fetched again when a later change offers it; the job then ends complete', async () => {
    const handle = await bed.startJob(await bed.job('missing-2', [signerWithPin(72), signerWithPin(73, 1)]));
    const jobId = await bed.jobIdOf('missing-2');
    await bed.control.post('/control/faults', { route: 'download', kind: 'status404', times: 1 });
    bed.sim.model.sign(jobId, 1);
    await bed.waitFor('the first signer is recorded with the XAdES missing', async () => {
      const p = await handle.query(postenJobProgressQuery);
      return p.signers[0].status === 'SIGNED' && p.documentsMissing.length === 1;
    });
    bed.sim.model.sign(jobId, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.deepEqual(result.documentsMissing, []);
    assert.ok(result.signers[0].xades && result.signers[1].xades && result.pades);
  });

  it('an unowned job lists what Posten refused in its result', async () => {
    const job = bed.sim.model.createJob({
      sender: bed.sender,
      reference: 'outside-missing',
      signers: [{ pin: pin(74), order: 0 }],
      documents: new Map([['0000_doc.pdf', Buffer.from('%PDF-1.4 outside')]]),
    });
    const downloadsBefore = bed.sim.model.stats.byRoute.download ?? 0;
    await bed.control.post('/control/faults', { route: 'download', kind: 'status404', times: 2 });
    bed.sim.model.sign(job.id, 1);
    const handle = bed.env.client.workflow.getHandle(unownedJobWorkflowId(bed.sender, job.id));
    await bed.waitFor('the final change is held after both downloads were refused', async () => {
      const state = await handle.query(postenUnownedStateQuery).catch(() => undefined);
      return !!state?.held && (bed.sim.model.stats.byRoute.download ?? 0) - downloadsBefore >= 2;
    });
    await handle.executeUpdate(postenReleaseUnownedUpdate, { args: [{ action: 'CONFIRM' }] });
    const result = (await handle.result()) as UnownedJobResult;
    assert.equal(result.jobStatus, 'COMPLETED_SUCCESSFULLY');
    assert.equal(result.documentsMissing.length, 2);
    assert.deepEqual(result.xades, []);
  });
});
