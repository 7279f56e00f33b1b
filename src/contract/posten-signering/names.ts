import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CancelJobOutcome,
  PostenStatusChange,
  SignatureJobProgress,
  StatusPollerState,
  UnownedJobState,
} from './types';

/**
 * Persisted names of the Posten signering integration: workflow types, workflow-ID prefixes and
 * the signal, query and update definitions.
 * Renaming any of these strands running workflows or breaks callers and running workflows that use them.
 */
export const postenWorkflowTypes = {
  signatureJob: 'postenSignatureJobWorkflow',
  statusPoller: 'postenStatusPollerWorkflow',
  unownedJob: 'postenUnownedJobWorkflow',
} as const;

export const postenIdPrefixes = {
  /** `posten-job/<sender>/<reference>`: one workflow per signature job of a calling system. */
  signatureJob: 'posten-job',
  /** `posten-poller/<sender>/<queue>`: one long-lived poller per sender and polling queue. */
  statusPoller: 'posten-poller',
  /** `posten-unowned/<sender>/<signatureJobId>`: status changes of a job that no signature-job workflow owns. */
  unownedJob: 'posten-unowned',
} as const;

/** The business-key segment used for Posten's default polling queue (no `polling_queue` parameter). */
export const DEFAULT_QUEUE_SEGMENT = '_default';

/** Sent by the status poller to the workflow that owns the job (and to unowned-job workflows). */
export const postenStatusChangeSignal = defineSignal<[{ change: PostenStatusChange }]>('postenStatusChange');

/** Ask the job workflow to cancel the job at Posten (fire and forget; the outcome shows in the progress query). */
export const postenCancelJobSignal = defineSignal<[{ reason?: string }]>('postenCancelJob');

/** Cancel and learn the outcome; fails with `PostenJobAlreadyFinished` when Posten answers 409. */
export const postenCancelJobUpdate = defineUpdate<CancelJobOutcome, [{ reason?: string }]>('postenCancelJob');

/** Operator decision for a job whose create had an unknown outcome and that no status change has named yet. */
export const postenResolveUncertainCreateUpdate = defineUpdate<
  { accepted: true },
  [{ action: 'RETRY_CREATE' | 'ABANDON' }]
>('postenResolveUncertainCreate');

export const postenJobProgressQuery = defineQuery<SignatureJobProgress>('postenJobProgress');

export const postenPollerStateQuery = defineQuery<StatusPollerState>('postenPollerState');

export const postenUnownedStateQuery = defineQuery<UnownedJobState>('postenUnownedState');

/** Operator decision for an unowned job held for review. */
export const postenReleaseUnownedUpdate = defineUpdate<
  { confirmed: boolean },
  [{ action: 'CONFIRM' | 'CANCEL_AND_CONFIRM' }]
>('postenReleaseUnowned');
