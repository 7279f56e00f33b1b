import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { opensslVerifyDetachedCms, pdfSignature, xmlsec1VerifyDetached } from '../../harness/signed-documents';
import { signerWithPin, startTestbed, type Testbed } from './harness';

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The workflow's failure, or a test failure if it does not fail within 15 s (a task retried in a loop would not). */
async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const err = await Promise.race([
    handle.result().then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    ),
    new Promise((_, reject) => setTimeout(() => reject(new Error('still running: stuck?')), 15_000)),
  ]);
  assert.ok(err instanceof WorkflowFailedError, String(err));
  const cause = err.cause?.cause instanceof ApplicationFailure ? err.cause.cause : err.cause;
  assert.ok(cause instanceof ApplicationFailure, String(err.cause));
  return cause;
}

describe('posten signature job: signed documents and empty documents (real dev server, simulator over mTLS)', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
  });
  after(() => bed.close());

  it('an empty document fails the job typed (FerjeInvalidInput), non-retryable, before any call to Posten', async () => {
    const requestsBefore = bed.sim.model.stats.requests;
    const empty = await bed.blobStore.put(Buffer.alloc(0), { mediaType: 'application/pdf', fileName: 'empty.pdf' });
    const input = await bed.job('empty-doc-1', [signerWithPin(91)]);
    input.documents.push({ title: 'Annex', fileName: 'annex.pdf', content: empty });
    const failure = await failureOf(await bed.startJob(input));
    assert.equal(failure.type, commonFailureTypes.invalidInput);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /\/documents\/1\/content/);
    assert.equal(bed.sim.model.stats.requests, requestsBefore, 'nothing reached Posten');
  });

  it('a blob that turns out empty although its reference claims bytes fails typed at create, before Posten', async () => {
    const requestsBefore = bed.sim.model.stats.creates;
    const empty = await bed.blobStore.put(Buffer.alloc(0), { mediaType: 'application/pdf', fileName: 'empty.pdf' });
    const input = await bed.job('empty-doc-2', [signerWithPin(92)]);
    input.documents.push({ title: 'Annex', fileName: 'annex.pdf', content: { ...empty, size: 10 } });
    const failure = await failureOf(await bed.startJob(input));
    assert.equal(failure.type, commonFailureTypes.invalidInput);
    assert.equal(failure.nonRetryable, true);
    assert.equal(bed.sim.model.stats.creates, requestsBefore, 'no job was created at Posten');
  });

  it('what Ferje stores verifies independently: each XAdES with xmlsec1, the PAdES with openssl cms', async () => {
    const input = await bed.job('signed-docs-1', [signerWithPin(93), signerWithPin(94)]);
    const handle = await bed.startJob(input);
    const jobId = await bed.jobIdOf('signed-docs-1');
    bed.sim.model.sign(jobId, 1);
    bed.sim.model.sign(jobId, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    const caPem = readFileSync(bed.sim.env.POSTEN_SIGNERING_TRUSTED_ROOTS_FILE, 'utf8');
    const documents = bed.sim.model.jobs.get(jobId)!.documents;
    for (const signer of result.signers) {
      const xades = await readAll(await bed.blobStore.get(signer.xades!));
      const verdict = xmlsec1VerifyDetached(documents, xades, caPem);
      assert.ok(verdict.ok, verdict.output);
    }
    assert.equal(result.pades?.mediaType, 'application/pdf');
    const pades = await readAll(await bed.blobStore.get(result.pades));
    const sig = pdfSignature(pades);
    const verdict = opensslVerifyDetachedCms(sig.cms, sig.signedContent, caPem);
    assert.ok(verdict.ok, verdict.output);
  });
});
