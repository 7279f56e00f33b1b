import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BlobRef } from '../blob-ref';
import type { PortalJobStatus, PostenStatusChange, SignerProgress } from './job';

/** Sent by the status poller to the workflow that owns the job (and to unowned-job workflows). */
export const postenStatusChangeSignal = defineSignal<[{ change: PostenStatusChange }]>('postenStatusChange');

/** Ask the job workflow to cancel the job at Posten (fire and forget; the outcome shows in the progress query). */
export const postenCancelJobSignal = defineSignal<[{ reason?: string }]>('postenCancelJob');

export interface CancelJobOutcome {
  /** `CANCELLATION_REQUESTED`: Posten accepted (204); the final FAILED status follows through the queue. */
  outcome: 'CANCELLATION_REQUESTED' | 'NOT_CREATED';
}
/** Cancel and learn the outcome; fails with `PostenJobAlreadyFinished` when Posten answers 409. */
export const postenCancelJobUpdate = defineUpdate<CancelJobOutcome, [{ reason?: string }]>('postenCancelJob');

/** Operator decision for a job whose create had an unknown outcome and that no status change has named yet. */
export const postenResolveUncertainCreateUpdate = defineUpdate<
  { accepted: true },
  [{ action: 'RETRY_CREATE' | 'ABANDON' }]
>('postenResolveUncertainCreate');

export type SignatureJobPhase =
  'VALIDATING' | 'CREATING' | 'CREATE_UNCERTAIN' | 'AWAITING_SIGNATURES' | 'CANCELLING' | 'FINISHED';

/** Plain snapshot for the UI and callers; signers are referenced by index only (no personal data). */
export interface SignatureJobProgress {
  phase: SignatureJobPhase;
  signatureJobId?: string;
  jobStatus: PortalJobStatus | 'NOT_CREATED';
  signers: SignerProgress[];
  pades?: BlobRef;
  changesProcessed: number;
  redeliveriesRecognised: number;
  duplicateJobIds: string[];
  cancelRequested: boolean;
  cancelOutcome?: 'CANCELLATION_REQUESTED' | 'ALREADY_FINISHED' | 'NOT_CREATED';
}
export const postenJobProgressQuery = defineQuery<SignatureJobProgress>('postenJobProgress');

export interface StatusPollerState {
  sender: string;
  pollingQueue?: string;
  polls: number;
  changesDispatched: number;
  changesToUnowned: number;
  lastOutcome?: string;
  lastPollAt?: string;
  nextPollAt?: string;
  runs: number;
}
export const postenPollerStateQuery = defineQuery<StatusPollerState>('postenPollerState');

export interface UnownedJobState {
  signatureJobId: string;
  jobStatus?: PortalJobStatus;
  held: boolean;
  changesReceived: number;
  confirmed: number;
  xadesStored: number;
  padesStored: boolean;
  decision?: string;
}
export const postenUnownedStateQuery = defineQuery<UnownedJobState>('postenUnownedState');

/** Operator decision for an unowned job held for review. */
export const postenReleaseUnownedUpdate = defineUpdate<
  { confirmed: boolean },
  [{ action: 'CONFIRM' | 'CANCEL_AND_CONFIRM' }]
>('postenReleaseUnowned');
