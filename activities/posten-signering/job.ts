import { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { commonFailureTypes } from '../../src/contract/failure-types';
import type { BlobRef } from '../../src/contract/blob-ref';
import type { PostenSignatureJobInput } from '../../src/contract/posten-signering';
import { postenFailureTypes, validatePostenJob } from '../../src/contract/posten-signering';
import { buildDocumentBundle } from '../../src/integrations/posten-signering/bundle';
import { PostenJobAlreadyFinishedError } from '../../src/integrations/posten-signering/errors';
import { buildJobRequestXml } from '../../src/integrations/posten-signering/job-xml';
import type { PostenRuntime } from './runtime';
import { toFailure } from './failures';
import { withHeartbeats } from '../common/heartbeat';

export interface CreatedJob {
  signatureJobId: string;
  cancellationUrl: string;
  bundle: BlobRef;
}

/** Activities one signature-job workflow uses. Each returns a compact DTO; documents stay in the blob store. */
export function createJobActivities(rt: PostenRuntime) {
  return {
    /** Creates the job at Posten (see `createJob`). */
    async postenCreateJob({ job }: { job: PostenSignatureJobInput }): Promise<CreatedJob> {
      // Reading up to 20 documents of 10 MB, signing and uploading the bundle can outlast a minute: heartbeat, so a
      // crashed worker's attempt is noticed at the heartbeat timeout.
      return withHeartbeats(() => createJob(rt, job));
    },

    /** Streams a signer's XAdES or the job's PAdES into the blob store (durable before this returns). */
    async postenDownload(input: {
      sender: string;
      url: string;
      kind: 'xades' | 'pades';
      signatureJobId: string;
      signerIndex?: number;
    }): Promise<BlobRef> {
      return withHeartbeats(async () => {
        try {
          const stream = await rt.client().download(input.sender, input.url, input.kind);
          const suffix = input.kind === 'pades' ? 'pades.pdf' : `signer-${(input.signerIndex ?? 0) + 1}-xades.xml`;
          return await rt.blobStore.put(stream, {
            mediaType: input.kind === 'pades' ? 'application/pdf' : 'application/xml',
            fileName: `posten-${input.signatureJobId}-${suffix}`,
          });
        } catch (err) {
          throw toFailure(err);
        }
      });
    },

    /** POSTs the confirmation URL of a status change (after everything it offered is stored). */
    async postenConfirm(input: { sender: string; url: string }): Promise<void> {
      // Heartbeats because the profile has a heartbeat timeout: a wait for the rate budget must not look like a crash.
      return withHeartbeats(async () => {
        try {
          await rt.client().confirm(input.sender, input.url);
        } catch (err) {
          throw toFailure(err);
        }
      });
    },

    /** Cancels a job: `CANCELLED` (2xx) or `ALREADY_FINISHED` (409). */
    async postenCancel(input: { sender: string; url: string }): Promise<{ outcome: 'CANCELLED' | 'ALREADY_FINISHED' }> {
      return withHeartbeats(async () => {
        try {
          await rt.client().cancel(input.sender, input.url);
          return { outcome: 'CANCELLED' as const };
        } catch (err) {
          if (err instanceof PostenJobAlreadyFinishedError) return { outcome: 'ALREADY_FINISHED' as const };
          throw toFailure(err);
        }
      });
    },
  };
}

/**
 * Builds and signs the bundle (SigningTime must be within seconds of the request, so it is signed right before
 * sending, on every attempt), stores it, makes sure the queue's poller runs, then creates the job.
 * Not idempotent at Posten: a retry after a lost answer creates a second job, which the workflow reconciles.
 */
async function createJob(rt: PostenRuntime, job: PostenSignatureJobInput): Promise<CreatedJob> {
  const problems = validatePostenJob(job);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      message: `invalid signature job: ${problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`,
      type: commonFailureTypes.invalidInput,
      nonRetryable: true,
      details: [problems],
    });
  }
  try {
    const keystore = rt.client().keystore;
    if (!keystore) {
      throw ApplicationFailure.create({
        message: 'no enterprise certificate configured (POSTEN_SIGNERING_KEYSTORE_FILE)',
        type: postenFailureTypes.tlsConfiguration,
      });
    }
    const documents: Uint8Array[] = [];
    for (const [i, doc] of job.documents.entries()) {
      const bytes = await readBlob(rt, doc.content);
      if (bytes.length !== doc.content.size) {
        throw ApplicationFailure.nonRetryable(
          `document ${i + 1} does not match its size`,
          commonFailureTypes.invalidInput,
        );
      }
      documents.push(bytes);
    }
    await rt.ensurePoller(job.sender, job.pollingQueue);
    let zip: Uint8Array | undefined;
    // Signed when the request's turn in the rate budget has come (SigningTime must be within seconds of
    // Posten's clock); stored afterwards, so nothing slow sits between the pacer and the request.
    const created = await rt.client().createPortalJob(job.sender, buildJobRequestXml(job), async () => {
      zip = buildDocumentBundle(job, documents, keystore, new Date()).zip;
      return zip;
    });
    const bundleRef = await rt.blobStore.put(zip!, {
      mediaType: 'application/vnd.etsi.asic-e+zip',
      fileName: `posten-bundle-${job.reference}.asice`,
    });
    rt.logger.info('posten job created', { reference: job.reference, signatureJobId: created.signatureJobId });
    return {
      signatureJobId: created.signatureJobId,
      cancellationUrl: rt.client().trusted(created.cancellationUrl),
      bundle: bundleRef,
    };
  } catch (err) {
    throw toFailure(err);
  }
}

async function readBlob(rt: PostenRuntime, ref: BlobRef): Promise<Buffer> {
  const stream: Readable = await rt.blobStore.get(ref);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > 10 * 1024 * 1024 + 1) {
      stream.destroy();
      throw ApplicationFailure.nonRetryable('a document is larger than 10 MB', commonFailureTypes.invalidInput);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
