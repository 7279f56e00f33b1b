import { inSyncOrder, type ResourceType, type SyncStep } from '../../src/contract/ss12000/resource-types';
import type {
  PassKind,
  Ss12000CarriedState,
  Ss12000SyncOptions,
  Ss12000SyncPassResult,
  Ss12000WebhookSignal,
} from '../../src/contract/ss12000/types';

export type ResolvedOptions = Required<Ss12000SyncOptions>;

export function resolveOptions(options: Ss12000SyncOptions = {}): ResolvedOptions {
  return {
    pageLimit: options.pageLimit ?? 2500,
    webhookQuietSeconds: options.webhookQuietSeconds ?? 10,
    overlapSeconds: options.overlapSeconds ?? 300,
    safetyPassMinutes: options.safetyPassMinutes ?? 60,
    renewBeforeExpiryHours: options.renewBeforeExpiryHours ?? 168,
    retryFailedPassMinutes: options.retryFailedPassMinutes ?? 5,
  };
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
  state.retryAt = new Date(now + waitMinutes * 60_000).toISOString();
}
