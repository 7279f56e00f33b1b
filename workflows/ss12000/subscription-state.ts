import {
  inSyncOrder,
  resourceTypes,
  ss12000FailureTypes,
  syncSteps,
  type PassKind,
  type ResourceType,
  type Ss12000CarriedState,
  type Ss12000Subscription,
  type Ss12000SubscriptionPhase,
  type Ss12000SubscriptionWorkflowStatus,
  type Ss12000SyncOptions,
  type Ss12000SyncPassResult,
  type Ss12000WebhookSignal,
  type SyncStep,
} from '../../src/contract/ss12000';

/**
 * The subscription workflow's state and its decisions, as plain functions over plain JSON (no workflow API, no I/O):
 * what to do next, how a webhook, a pass result, a renewal or a failed registration attempt changes the state.
 * `now` is always passed in (the workflow's deterministic clock).
 */

export type ResolvedOptions = Required<Ss12000SyncOptions>;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function resolveOptions(options: Ss12000SyncOptions = {}): ResolvedOptions {
  return {
    pageLimit: options.pageLimit ?? 2500,
    webhookQuietSeconds: options.webhookQuietSeconds ?? 10,
    overlapSeconds: options.overlapSeconds ?? 300,
    safetyPassMinutes: options.safetyPassMinutes ?? 60,
    renewBeforeExpiryHours: options.renewBeforeExpiryHours ?? 168,
    retryFailedPassMinutes: options.retryFailedPassMinutes ?? 5,
    registrationRetryMinutes: options.registrationRetryMinutes ?? 1440,
  };
}

/** The types kept (in sync order) and the steps of a full pass of them (deletions last). */
export function keptTypesAndSteps(requested: readonly ResourceType[] | undefined): {
  kept: ResourceType[];
  steps: SyncStep[];
} {
  const kept = resourceTypes.filter((t) => (requested ?? resourceTypes).includes(t));
  return { kept, steps: syncSteps.filter((s) => s === 'Deleted' || (kept as readonly string[]).includes(s)) };
}

export function initialState(huvudman: string): Ss12000CarriedState {
  return {
    registration: { huvudman, status: 'PENDING' },
    types: {},
    pending: { steps: [], kind: 'webhook' },
    passNumber: 0,
    webhooksReceived: 0,
    webhooksCoalesced: 0,
    consecutiveFailures: 0,
    renewals: 0,
    recreations: 0,
  };
}

/** The `FerjeStatus` shown for a phase: waiting is CURRENT, or RETRY_WAIT after a failed pass. */
export function statusOf(
  phase: Ss12000SubscriptionPhase,
  state: Ss12000CarriedState,
): Ss12000SubscriptionWorkflowStatus {
  if (phase !== 'WAITING') return phase;
  return state.lastPass?.outcome === 'FAILED' ? 'RETRY_WAIT' : 'CURRENT';
}

const KIND_WEIGHT: Record<PassKind, number> = { webhook: 0, safety: 1, retry: 2, 'catch-up': 3, full: 4 };

/** Adds steps to the pending pass; returns false when every one of them was already pending (a free duplicate). */
export function queueSteps(state: Ss12000CarriedState, steps: SyncStep[], kind: PassKind, at: string): boolean {
  const fresh = steps.filter((s) => !state.pending.steps.includes(s));
  if (state.pending.steps.length === 0) {
    state.pending = { steps: [], kind, firstAt: at };
  } else if (KIND_WEIGHT[kind] > KIND_WEIGHT[state.pending.kind]) {
    state.pending.kind = kind;
  }
  state.pending.steps = inSyncOrder([...state.pending.steps, ...fresh]);
  return fresh.length > 0;
}

/** A webhook names types (and maybe deletions); only the types this subscription keeps count. */
export function queueWebhook(
  state: Ss12000CarriedState,
  signal: Ss12000WebhookSignal,
  kept: readonly ResourceType[],
): void {
  state.webhooksReceived++;
  const steps: SyncStep[] = signal.modifiedTypes.filter((t) => kept.includes(t));
  if (signal.deleted) steps.push('Deleted');
  if (steps.length === 0 || !queueSteps(state, steps, 'webhook', signal.receivedAt)) state.webhooksCoalesced++;
  // A webhook proves the API is answering again: do not sit out the rest of a retry wait.
  state.retryAt = undefined;
}

/** A webhook signal whose arguments were malformed: ignored, counted, never fatal. */
export function rejectWebhook(state: Ss12000CarriedState): void {
  state.webhooksRejected = (state.webhooksRejected ?? 0) + 1;
}

/** `meta.modified.after` per step: the watermark minus the overlap; no watermark = fetch everything. */
export function sinceFor(
  state: Ss12000CarriedState,
  steps: SyncStep[],
  overlapSeconds: number,
): Partial<Record<SyncStep, string>> {
  const since: Partial<Record<SyncStep, string>> = {};
  for (const step of steps) {
    const watermark = state.types[step]?.watermark;
    if (watermark) since[step] = new Date(Date.parse(watermark) - overlapSeconds * 1000).toISOString();
  }
  return since;
}

/** Takes the pending steps as the next pass (numbered), leaving nothing pending. */
export function startPass(state: Ss12000CarriedState): { passNumber: number; kind: PassKind; steps: SyncStep[] } {
  const pass = { passNumber: ++state.passNumber, kind: state.pending.kind, steps: [...state.pending.steps] };
  state.pending = { steps: [], kind: 'webhook' };
  return pass;
}

/** The result of a pass whose child failed without telling its outcomes: every step failed with that error. */
export function failedPassResult(
  huvudman: string,
  pass: { passNumber: number; kind: PassKind; steps: SyncStep[] },
  error: { type: string; message: string },
): Ss12000SyncPassResult {
  return {
    huvudman,
    passNumber: pass.passNumber,
    kind: pass.kind,
    outcome: 'FAILED',
    steps: pass.steps.map((step) => ({
      step,
      status: 'FAILED',
      pages: 0,
      fetched: 0,
      stored: 0,
      invalid: 0,
      deleted: 0,
      error,
    })),
  };
}

/**
 * Watermarks advance only for steps that succeeded, to the time that step sent its first GET (anything changed
 * after that is fetched next time; the overlap covers clock skew). Failed and skipped steps go back to pending.
 */
export function applyPassResult(
  state: Ss12000CarriedState,
  result: Ss12000SyncPassResult,
  options: ResolvedOptions,
  now: number,
): void {
  for (const outcome of result.steps) {
    const t = (state.types[outcome.step] ??= {});
    t.lastOutcome = outcome;
    t.lastPassNumber = result.passNumber;
    if (outcome.status === 'SUCCEEDED' && outcome.startedAt) t.watermark = outcome.startedAt;
  }
  const finishedAt = new Date(now).toISOString();
  state.lastPass = { passNumber: result.passNumber, kind: result.kind, outcome: result.outcome, finishedAt };
  if (result.outcome === 'SUCCEEDED') {
    // Deletions from before the full sync began are already reflected in what it fetched.
    const began = result.steps[0]?.startedAt;
    if (result.kind === 'full' && began && !state.types.Deleted?.watermark) {
      (state.types.Deleted ??= {}).watermark = began;
    }
    state.consecutiveFailures = 0;
    state.retryAt = undefined;
    return;
  }
  state.consecutiveFailures++;
  const unfinished = result.steps.filter((o) => o.status !== 'SUCCEEDED').map((o) => o.step);
  queueSteps(state, unfinished, result.kind === 'full' ? 'full' : 'retry', finishedAt);
  const waitMinutes = Math.min(options.retryFailedPassMinutes * 2 ** (state.consecutiveFailures - 1), 120);
  state.retryAt = new Date(now + waitMinutes * MINUTE).toISOString();
}

/** Registration succeeded: remember the subscription and queue the full sync of every kept type. */
export function registered(state: Ss12000CarriedState, sub: Ss12000Subscription, kept: ResourceType[], now: number) {
  state.subscription = { ...sub, since: new Date(now).toISOString() };
  state.registration = {
    huvudman: state.registration.huvudman,
    status: 'SUBSCRIBED',
    subscriptionId: sub.id,
    expires: sub.expires,
  };
  queueSteps(state, [...kept], 'full', new Date(now).toISOString());
}

/** Registration failed for good (refused, or unavailable for longer than the retry budget). */
export function registrationFailed(state: Ss12000CarriedState, reason: string): void {
  state.registration = { huvudman: state.registration.huvudman, status: 'FAILED', reason };
}

/** Failure types of a registration attempt that another round may cure: the huvudman API was not answering. */
const TRANSIENT_REGISTRATION_FAILURES: readonly string[] = [
  ss12000FailureTypes.apiUnavailable,
  ss12000FailureTypes.tokenUnavailable,
  'FerjeMalformedResponse',
  'Timeout',
];

/**
 * After a failed round of registration attempts: the wait before the next round (10 s doubling to 30 min), or
 * undefined when registration must fail now (a refusal, or the next round would start after `giveUpAt`).
 */
export function registrationRetryWait(
  round: number,
  failureType: string,
  now: number,
  giveUpAt: number,
): number | undefined {
  if (!TRANSIENT_REGISTRATION_FAILURES.includes(failureType)) return undefined;
  const wait = Math.min(10_000 * 2 ** (round - 1), 30 * MINUTE);
  return now + wait <= giveUpAt ? wait : undefined;
}

/**
 * When to renew: `renewBeforeExpiryHours` before `expires`, not before a failed renewal's back-off. When the margin
 * is longer than the lifetime the huvudman granted (the renewal would be due the moment it was made), renew halfway
 * through the remaining lifetime instead, so renewals never run back to back.
 */
export function renewalDueAt(state: Ss12000CarriedState, options: ResolvedOptions): number {
  const sub = state.subscription;
  const expires = sub?.expires ? Date.parse(sub.expires) : NaN;
  if (Number.isNaN(expires)) return Infinity;
  let due = expires - options.renewBeforeExpiryHours * HOUR;
  const since = sub?.since ? Date.parse(sub.since) : NaN;
  if (!Number.isNaN(since) && due <= since) due = since + (expires - since) / 2;
  const retryAt = state.renewRetryAt ? Date.parse(state.renewRetryAt) : 0;
  return Math.max(due, retryAt);
}

/** A renewal answered: the new expiry (90 days if the huvudman did not say), from now. */
export function renewed(state: Ss12000CarriedState, expires: string | undefined, now: number): void {
  const sub = state.subscription;
  if (!sub) return;
  sub.expires = expires ?? new Date(now + 90 * DAY).toISOString();
  sub.since = new Date(now).toISOString();
  state.renewals++;
}

/** The huvudman had lost the subscription and it was created again: notices were lost, so catch up on everything. */
export function recreated(state: Ss12000CarriedState, sub: Ss12000Subscription, steps: SyncStep[], now: number) {
  state.subscription = { ...sub, since: new Date(now).toISOString() };
  state.recreations++;
  queueSteps(state, [...steps], 'catch-up', new Date(now).toISOString());
}

/** After a renewal attempt: cleared back-off when it worked, else the next attempt in an hour. */
export function afterRenewalAttempt(state: Ss12000CarriedState, succeeded: boolean, now: number): void {
  state.renewRetryAt = succeeded ? undefined : new Date(now + HOUR).toISOString();
}

export type NextAction =
  { kind: 'renew' } | { kind: 'pass'; quietUntil: number } | { kind: 'wait'; wakeAt: number; safetyAt: number };

/**
 * The loop's one decision: renew when due; else run the pending pass when its retry wait is over (after the quiet
 * time that lets more webhooks join a webhook pass); else wait for a webhook, the renewal, the retry or the safety pass.
 */
export function nextAction(state: Ss12000CarriedState, options: ResolvedOptions, now: number): NextAction {
  const renewAt = renewalDueAt(state, options);
  if (now >= renewAt) return { kind: 'renew' };
  const retryAt = state.retryAt ? Date.parse(state.retryAt) : 0;
  if (state.pending.steps.length > 0 && now >= retryAt) {
    const quietUntil =
      state.pending.kind === 'webhook' && state.pending.firstAt
        ? Date.parse(state.pending.firstAt) + options.webhookQuietSeconds * 1000
        : 0;
    return { kind: 'pass', quietUntil };
  }
  const safetyAt = (state.lastPass ? Date.parse(state.lastPass.finishedAt) : now) + options.safetyPassMinutes * MINUTE;
  const wakeAt = Math.min(renewAt, safetyAt, state.pending.steps.length > 0 ? retryAt : Infinity);
  return { kind: 'wait', wakeAt, safetyAt };
}

/** Webhooks are best-effort hints: with none for a while (and nothing pending), look for changes anyway. */
export function queueSafetyPassIfDue(
  state: Ss12000CarriedState,
  steps: SyncStep[],
  safetyAt: number,
  now: number,
): void {
  if (now >= safetyAt && state.pending.steps.length === 0)
    queueSteps(state, [...steps], 'safety', new Date(now).toISOString());
}
