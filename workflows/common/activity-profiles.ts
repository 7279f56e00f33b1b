import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';

/**
 * Named activity-option profiles: the only place where workflows get timeouts and retry policies from.
 *
 * Why profiles: the SDK deep-merges per-call overrides into a proxy's options, so a call site that "sets its own
 * retry policy" silently keeps the proxy's other retry fields (e.g. `backoffCoefficient`). Every profile therefore
 * states its whole retry policy, and workflows build one proxy per profile instead of overriding at call sites.
 *
 * Why heartbeats: after a worker crash, Temporal notices a lost attempt only at the heartbeat timeout, or else at the
 * start-to-close timeout. Every profile that allows an attempt longer than a minute has a heartbeat timeout, and the
 * activities run under it heartbeat (see activities/common/heartbeat.ts), so a crash is noticed within seconds.
 */
export type ActivityProfileName = keyof typeof activityProfiles;

function retry(policy: Required<Omit<RetryPolicy, 'nonRetryableErrorTypes'>>): RetryPolicy {
  return policy;
}

export const activityProfiles = {
  /** One request to a partner: short, retried with backoff (the client classifies 4xx as non-retryable). */
  partnerCall: {
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '30 seconds',
    retry: retry({
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 10,
    }),
  },
  /** A quick status question; unknown answers come back as values, so retries only cover worker-side hiccups. */
  statusCheck: {
    startToCloseTimeout: '45 seconds',
    retry: retry({
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '10 seconds',
      maximumAttempts: 3,
    }),
  },
  /** Streaming a document or file to or from a partner: may take long, heartbeats all along. */
  partnerTransfer: {
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '30 seconds',
    retry: retry({
      initialInterval: '5 seconds',
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts: 10,
    }),
  },
  /** Work on Ferje's own stores (blob store, SS12000 store): a few quick retries cover a busy disk or database. */
  localStore: {
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    retry: retry({
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 5,
    }),
  },
  /** Talking to Temporal itself (signal-with-start of another workflow): retried long, it is our own service. */
  temporalCall: {
    startToCloseTimeout: '1 minute',
    retry: retry({
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      // Unlimited. The SDK refuses 0 (a ValueError when the activity is scheduled, i.e. a workflow defect).
      maximumAttempts: Number.POSITIVE_INFINITY,
    }),
  },
} as const satisfies Record<string, ActivityOptions>;

/**
 * A profile's options, with a summary for the UI and, where a flow's protocol fixes them, whole replacements of
 * timeouts or the retry policy (never a partial retry policy: pass every field, as `retry()` in this file does).
 */
export function activityOptions(
  profile: ActivityProfileName,
  extra: Partial<Pick<ActivityOptions, 'summary' | 'startToCloseTimeout' | 'heartbeatTimeout'>> & {
    retry?: Required<Omit<RetryPolicy, 'nonRetryableErrorTypes'>>;
  } = {},
): ActivityOptions {
  return { ...activityProfiles[profile], ...extra };
}
