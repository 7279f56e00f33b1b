import type { BlobRef } from '../../src/contract/blob-ref';
import type {
  InstanceGoneReason,
  InstanceLossRecord,
  SignatureOperationInput,
  SignatureOperationPolicy,
  SignatureOperationResult,
  SignatureOperationResumeState,
  SignatureOperationState,
  SignatureOperationStatus,
  SignstashPlacement,
} from '../../src/contract/signstash';
import type { CheckStatusOutput, FetchResultOutput, StartOperationOutput } from '../../activities/signstash';

/**
 * The state of one Sign'Stash signature operation and every decision the workflow takes on it, as plain functions
 * (no I/O, no workflow API): the workflow function only runs activities and timers and applies these. Times are
 * passed in (`nowMs`), so the decisions are unit-tested without a server (test/unit/signstash).
 */
export interface OperationState {
  /** The snapshot the query and the operator view show (no personal data). */
  view: SignatureOperationState;
  /** Known once the documents are prepared (or carried through continue-as-new). */
  manifest?: BlobRef;
  policy?: SignatureOperationPolicy;
  placement?: SignstashPlacement;
  restarts: InstanceLossRecord[];
  /** The wait before the next status check. */
  nextDelayMs: number;
  /** Status checks in this run on the current placement (bounds the history; reset on every submission). */
  pollsThisRun: number;
  /** True when this run continues an earlier one (no preparation, no submission). */
  resumed: boolean;
}

export type Final = Extract<FetchResultOutput, { kind: 'result' }>;

/** A fresh operation, or the one carried in `input.resume` (validated by the guard before this runs). */
export function initialState(input: SignatureOperationInput): OperationState {
  const resume = input.resume;
  if (!resume) {
    return {
      view: { phase: 'validating', documentCount: input.documents.length, statusChecks: 0, restarts: 0 },
      restarts: [],
      nextDelayMs: 0,
      pollsThisRun: 0,
      resumed: false,
    };
  }
  return {
    view: {
      phase: 'polling',
      documentCount: resume.documentCount,
      statusChecks: resume.statusChecks,
      restarts: resume.restarts.length,
      placement: resume.placement,
      status: resume.status,
      ...(resume.goneSinceMs !== undefined ? { goneSinceMs: resume.goneSinceMs, goneReason: resume.goneReason } : {}),
    },
    manifest: resume.manifest,
    policy: resume.policy,
    placement: resume.placement,
    restarts: [...resume.restarts],
    nextDelayMs: resume.nextPollDelayMs,
    pollsThisRun: 0,
    resumed: true,
  };
}

/** What the operator sees first in a resumed run. */
export function resumedStatus(state: OperationState): SignatureOperationStatus {
  return state.view.goneSinceMs !== undefined ? 'INSTANCE_UNREACHABLE' : (state.view.status ?? 'PENDING_EXECUTION');
}

export function storingDocuments(state: OperationState): SignatureOperationStatus {
  state.view.phase = 'storing-documents';
  return 'STORING_DOCUMENTS';
}

export function prepared(state: OperationState, manifest: BlobRef, policy: SignatureOperationPolicy): void {
  state.manifest = manifest;
  state.policy = policy;
}

export function submitting(state: OperationState): SignatureOperationStatus {
  state.view.phase = 'submitting';
  return 'SUBMITTING';
}

/** Sign'Stash accepted the operation under `externalReference`: the placement (affinity) is now data. */
export function accepted(
  state: OperationState,
  externalReference: string,
  started: Pick<StartOperationOutput, 'operationId' | 'host' | 'port' | 'status' | 'retryAfterMs'>,
  nowMs: number,
): SignatureOperationStatus {
  const placement: SignstashPlacement = {
    externalReference,
    operationId: started.operationId,
    host: started.host,
    port: started.port,
    acceptedAtMs: nowMs,
  };
  state.placement = placement;
  state.view.placement = placement;
  state.view.status = started.status;
  state.view.phase = 'polling';
  state.nextDelayMs = Math.max(started.retryAfterMs ?? 0, policyOf(state).firstPollDelayMs);
  state.pollsThisRun = 0;
  return started.status;
}

/** Before each status check: give up on time, hand over to a new run, or wait and check. */
export function beforeCheck(
  state: OperationState,
  nowMs: number,
  continueAsNewSuggested: boolean,
): 'timed-out' | 'continue-as-new' | 'check' {
  const policy = policyOf(state);
  if (nowMs - placementOf(state).acceptedAtMs > policy.operationTimeoutMs) {
    state.view.phase = 'failed';
    return 'timed-out';
  }
  if (state.pollsThisRun >= policy.maxPollsPerRun || continueAsNewSuggested) return 'continue-as-new';
  return 'check';
}

/** The status check is about to run (after the wait). */
export function checking(state: OperationState): void {
  state.pollsThisRun++;
  state.view.statusChecks++;
}

/** A status answer: a final status means the result is fetched next. */
export function statusChecked(
  state: OperationState,
  checked: CheckStatusOutput,
): { fetch: true; status: SignatureOperationStatus } | { fetch: false } {
  if (checked.kind !== 'status') return { fetch: false };
  state.view.status = checked.status;
  if (checked.signedCount !== undefined) state.view.signedCount = checked.signedCount;
  if (checked.status === 'PENDING_EXECUTION') return { fetch: false };
  state.view.phase = 'fetching-result';
  return { fetch: true, status: checked.status };
}

export type AnswerDecision =
  | { kind: 'final'; result: Final }
  | { kind: 'lost'; loss: InstanceLossRecord }
  /** Wait `state.nextDelayMs` and check again; show `status` (undefined: leave FerjeStatus as it is). */
  | { kind: 'wait'; status: SignatureOperationStatus | undefined };

/**
 * The last answer of a turn (the status, or the result fetch after a final status). The workflow keeps the "instance
 * gone" clock itself: an instance counts as lost only after `instanceLostAfterMs` without a usable answer.
 */
export function answered(
  state: OperationState,
  answer: CheckStatusOutput | FetchResultOutput,
  nowMs: number,
): AnswerDecision {
  if (answer.kind === 'result') return { kind: 'final', result: answer };
  const policy = policyOf(state);
  if (answer.kind === 'gone') return gone(state, answer.reason, nowMs, policy);
  // The instance answered (pending, or final but the result was not ready yet).
  const wasGone = state.view.goneSinceMs !== undefined;
  delete state.view.goneSinceMs;
  delete state.view.goneReason;
  state.view.phase = 'polling';
  const serverWaitMs = answer.kind === 'status' ? (answer.retryAfterMs ?? 0) : 0;
  state.nextDelayMs = Math.max(serverWaitMs, backoff(state.nextDelayMs, policy));
  return { kind: 'wait', status: wasGone ? (state.view.status ?? 'PENDING_EXECUTION') : state.view.status };
}

function gone(
  state: OperationState,
  reason: InstanceGoneReason,
  nowMs: number,
  policy: SignatureOperationPolicy,
): AnswerDecision {
  const at = placementOf(state);
  state.view.goneSinceMs ??= nowMs;
  state.view.goneReason = reason;
  state.view.phase = 'instance-gone';
  const goneForMs = nowMs - state.view.goneSinceMs;
  if (goneForMs >= policy.instanceLostAfterMs) {
    const { externalReference, operationId, host, port } = at;
    return { kind: 'lost', loss: { externalReference, operationId, host, port, reason, goneForMs } };
  }
  // Back off, but never past the moment the instance would count as lost.
  state.nextDelayMs = Math.max(
    100,
    Math.min(backoff(state.nextDelayMs, policy), policy.instanceLostAfterMs - goneForMs),
  );
  return { kind: 'wait', status: 'INSTANCE_UNREACHABLE' };
}

/**
 * The instance holding the operation is lost, and with it the operation (instances share nothing). Either the flow
 * fails (`fail`, or every restart used up) or it starts again under a derived reference: the SaaS behind every proxy
 * may remember the old one (409 0.0.7).
 */
export function instanceLost(
  state: OperationState,
  loss: InstanceLossRecord,
  requestedReference: string,
): { kind: 'fail' | 'exhausted' } | { kind: 'restart'; externalReference: string } {
  const policy = policyOf(state);
  if (policy.onInstanceLost === 'fail' || state.restarts.length >= policy.maxRestarts) {
    state.view.phase = 'failed';
    return { kind: policy.onInstanceLost === 'fail' ? 'fail' : 'exhausted' };
  }
  state.restarts.push(loss);
  state.view.restarts = state.restarts.length;
  delete state.view.goneSinceMs;
  delete state.view.goneReason;
  return { kind: 'restart', externalReference: `${requestedReference}-R${state.restarts.length + 1}` };
}

/** What the next run needs (the documents stay in the blob store's manifest, not in history). */
export function resumeState(state: OperationState): SignatureOperationResumeState {
  return {
    manifest: manifestOf(state),
    documentCount: state.view.documentCount,
    policy: policyOf(state),
    placement: placementOf(state),
    status: state.view.status ?? 'PENDING_EXECUTION',
    restarts: state.restarts,
    ...(state.view.goneSinceMs !== undefined
      ? { goneSinceMs: state.view.goneSinceMs, goneReason: state.view.goneReason }
      : {}),
    nextPollDelayMs: state.nextDelayMs,
    statusChecks: state.view.statusChecks,
  };
}

/** The final answer: a result for `EXECUTED`/`EXECUTION_ERROR`, a failure (nothing signed) otherwise. */
export function finished(
  state: OperationState,
  result: Final,
  requestedReference: string,
): { kind: 'failed' } | { kind: 'completed'; result: SignatureOperationResult } {
  const documents = result.documents;
  const signedCount = documents.filter((d) => d.signStatus === 'SIGNED').length;
  state.view.status = result.status;
  state.view.signedCount = signedCount;
  if (result.status === 'EXECUTION_FAILED' || result.status === 'PENDING_EXECUTION') {
    state.view.phase = 'failed';
    return { kind: 'failed' };
  }
  state.view.phase = 'completed';
  return {
    kind: 'completed',
    result: {
      requestedReference,
      placement: placementOf(state),
      status: result.status,
      documents,
      signedCount,
      errorCount: documents.length - signedCount,
      instanceLoss: { behaviour: policyOf(state).onInstanceLost, restarts: state.restarts },
    },
  };
}

export function failed(state: OperationState): void {
  state.view.phase = 'failed';
}

/** Polls back off by half again each turn, up to the policy's maximum. */
export function backoff(delayMs: number, policy: Pick<SignatureOperationPolicy, 'maxPollDelayMs'>): number {
  return Math.min(Math.round(delayMs * 1.5), policy.maxPollDelayMs);
}

export function policyOf(state: OperationState): SignatureOperationPolicy {
  if (!state.policy) throw new Error("Sign'Stash state: the policy is known only after preparation");
  return state.policy;
}

export function placementOf(state: OperationState): SignstashPlacement {
  if (!state.placement) throw new Error("Sign'Stash state: no placement before the operation is accepted");
  return state.placement;
}

export function manifestOf(state: OperationState): BlobRef {
  if (!state.manifest) throw new Error("Sign'Stash state: no manifest before the documents are prepared");
  return state.manifest;
}
