import { log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { PostenSigneringActivities } from '../../activities/posten-signering';
import type { BlobRef } from '../../src/contract/blob-ref';
import type { MissingDocument, PostenStatusChange } from '../../src/contract/posten-signering';
import { activityOptions, failureTypeOf } from '../common';
import { commonFailureTypes } from '../../src/contract/failure-types';

/**
 * The Posten activity proxies, one per use, each from a kit profile with a whole retry policy (never a partial
 * override at a call site: the SDK deep-merges those). Every option set whose attempt can outlast a minute has a
 * heartbeat timeout, and its activity heartbeats (activities/common/heartbeat.ts).
 */

/** Unlimited attempts (the SDK refuses 0). */
const UNLIMITED = Number.POSITIVE_INFINITY;

/** Until Posten answers: an outage must not lose a job, and server-given waits come as `nextRetryDelay`. */
const untilAnswered = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
  maximumAttempts: UNLIMITED,
};

/**
 * Create (signs and uploads the bundle, up to 20 documents of 10 MB): five attempts, the first included; after that
 * the outcome counts as unknown and is reconciled by the status changes that name the job's reference.
 */
const createOptions = activityOptions('partnerTransfer', {
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});
/** XAdES and PAdES downloads stream into the blob store: long, heartbeating, retried until Posten answers. */
const downloadOptions = activityOptions('partnerTransfer', { retry: untilAnswered });
/** Cancellation: one quick call, retried until Posten answers. */
const cancelOptions = activityOptions('partnerCall', { retry: untilAnswered });
/** Confirmations are quick calls: a worker that died during one is noticed (and the call retried) within 30 s. */
const confirmOptions = activityOptions('partnerCall', {
  startToCloseTimeout: '30 seconds',
  retry: untilAnswered,
});
/** The queue drain heartbeats throughout; a lost worker is noticed within 30 s and the drain starts again. */
const drainOptions = activityOptions('partnerCall', {
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: UNLIMITED,
  },
});

const createActs = proxyActivities<PostenSigneringActivities>(createOptions);
const downloadActs = proxyActivities<PostenSigneringActivities>(downloadOptions);
const cancelActs = proxyActivities<PostenSigneringActivities>(cancelOptions);
const confirmActs = proxyActivities<PostenSigneringActivities>(confirmOptions);
const drainActs = proxyActivities<PostenSigneringActivities>(drainOptions);

const withSummary = (options: ActivityOptions, summary: string): ActivityOptions => ({ ...options, summary });

export const createJob = (args: Parameters<PostenSigneringActivities['postenCreateJob']>[0]) =>
  createActs.postenCreateJob.executeWithOptions(withSummary(createOptions, 'create job at Posten'), [args]);

export const drainQueue = (args: Parameters<PostenSigneringActivities['postenDrainStatusQueue']>[0], queue: string) =>
  drainActs.postenDrainStatusQueue.executeWithOptions(withSummary(drainOptions, `drain queue ${queue}`), [args]);

export const cancelJob = (sender: string, url: string, summary: string) =>
  cancelActs.postenCancel.executeWithOptions(withSummary(cancelOptions, summary), [{ sender, url }]);

/**
 * Confirms a change. A refusal (4xx) means Posten no longer knows the change (already finalised): there is nothing
 * left to protect, so it is logged and counts as not confirmed. Returns whether Posten accepted it.
 */
export async function confirmChange(sender: string, change: PostenStatusChange): Promise<boolean> {
  try {
    await confirmActs.postenConfirm.executeWithOptions(
      withSummary(confirmOptions, `confirm change of job ${change.signatureJobId}`),
      [{ sender, url: change.confirmationUrl }],
    );
    return true;
  } catch (err) {
    if (failureTypeOf(err) !== commonFailureTypes.rejectedByPartner) throw err;
    log.warn('posten refused a confirmation', { signatureJobId: change.signatureJobId });
    return false;
  }
}

/**
 * Downloads a signer's XAdES or the job's PAdES into the blob store. A refusal a retry cannot fix (404: deleted at
 * Posten, retention passed) returns `undefined`; the caller records the document as missing.
 */
export async function downloadDocument(
  sender: string,
  signatureJobId: string,
  url: string,
  missing: MissingDocument,
  summary: string,
): Promise<BlobRef | undefined> {
  try {
    return await downloadActs.postenDownload.executeWithOptions(withSummary(downloadOptions, summary), [
      {
        sender,
        url,
        kind: missing.document === 'PADES' ? 'pades' : 'xades',
        signatureJobId,
        ...(missing.document === 'XADES' ? { signerIndex: missing.signerIndex } : {}),
      },
    ]);
  } catch (err) {
    if (failureTypeOf(err) !== commonFailureTypes.rejectedByPartner) throw err;
    log.warn('posten refused a download; the document is recorded as missing', {
      signatureJobId,
      document: missing.document,
    });
    return undefined;
  }
}
