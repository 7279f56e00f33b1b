import { ApplicationFailure, isCancellation, patched, setHandler, sleep } from '@temporalio/workflow';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { workflowMetrics } from '../../src/metrics/workflow-metrics';
import {
  signatureOperationStateQuery,
  signstashFailureTypes,
  validateSignatureOperationInput,
  type InstanceLossRecord,
  type SignatureOperationInput,
  type SignatureOperationResult,
  type SignatureOperationState,
  type SignatureOperationStatus,
} from '../../src/contract/signstash';
import {
  continueAsNewAfterHandlers,
  createOperatorView,
  failureTypeOf,
  guardedWorkflow,
  invalidInputFailure,
  liftFailure,
  shouldContinueAsNew,
  type OperatorView,
} from '../common';
import { checkActivities, fetchActivities, prepareActivities, startActivities } from './activities';
import { operationDetails } from './details';
import * as op from './signature-operation-state';

const WHAT = "Sign'Stash input";
type View = OperatorView<SignatureOperationStatus>;

/**
 * Histories recorded before the guard showed `VALIDATING` (and `REJECTED`) before validating; since this patch the
 * guard validates the whole input, `resume` included, before the workflow issues any command.
 */
const GUARD_VALIDATES_FIRST = 'signstash-guard-validates-first';

/**
 * One Sign'Stash signature operation, pinned to the proxy instance that accepted it. Affinity is data: the start
 * activity's answer (operation id, host, port) is kept in the state and handed to every later activity, which talks to
 * that instance directly. The state module keeps the "instance gone" clock (durable across worker restarts) and
 * decides, when it runs out, the caller's choice: fail, or start again elsewhere under a derived reference.
 */
export async function signstashSignatureOperation(input: SignatureOperationInput): Promise<SignatureOperationResult> {
  const validatesFirst = patched(GUARD_VALIDATES_FIRST);
  const validate = validatesFirst ? validateSignatureOperationInput : () => [];
  return guardedWorkflow(WHAT, validate, (i: SignatureOperationInput) => operate(i, validatesFirst))(input);
}

async function operate(input: SignatureOperationInput, validatedFirst: boolean): Promise<SignatureOperationResult> {
  const state = op.initialState(input);
  setHandler(signatureOperationStateQuery, () => JSON.parse(JSON.stringify(state.view)) as SignatureOperationState, {
    description: 'Phase, instance, status and counts of the operation (no personal data)',
  });
  const view = createOperatorView<SignatureOperationStatus>(() => operationDetails(state.view, state.policy));
  try {
    if (state.resumed) {
      view.show(op.resumedStatus(state));
    } else {
      if (!validatedFirst) validateAsBeforeTheGuard(input, state, view);
      await prepare(input, state, view);
      await submit(input, input.externalReference, state, view);
    }
    for (;;) {
      const outcome = await pollUntilFinal(input, state, view);
      if (outcome.kind === 'final') return finish(input, state, view, outcome.result);
      // The instance is lost, and with it the operation (instances share nothing).
      workflowMetrics.count(ferjeMetrics.signstashInstanceLost, { policy: state.policy!.onInstanceLost });
      const next = op.instanceLost(state, outcome.loss, input.externalReference);
      if (next.kind !== 'restart') {
        view.show('INSTANCE_LOST');
        throw instanceLostFailure(state, outcome.loss, next.kind);
      }
      view.show('RESTARTING');
      await submit(input, next.externalReference, state, view);
    }
  } catch (err) {
    if (isCancellation(err)) {
      // Sign'Stash has no cancel operation: what was submitted keeps running at the proxy.
      op.failed(state);
      view.show('CANCELLED');
    }
    throw err;
  }
}

/** The order of commands in histories recorded before GUARD_VALIDATES_FIRST (replayed, never re-recorded). */
function validateAsBeforeTheGuard(input: SignatureOperationInput, state: op.OperationState, view: View): void {
  view.show('VALIDATING');
  const problems = validateSignatureOperationInput(input);
  if (problems.length === 0) return;
  op.failed(state);
  view.show('REJECTED');
  throw invalidInputFailure(WHAT, problems);
}

async function prepare(input: SignatureOperationInput, state: op.OperationState, view: View): Promise<void> {
  view.show(op.storingDocuments(state));
  const prepared = await prepareActivities(`store ${input.documents.length} document(s)`)
    .signstashPrepareDocuments({
      clientServiceId: input.clientServiceId,
      documents: input.documents,
      options: input.options,
    })
    .catch((err: unknown) => {
      throw liftFailure(err);
    });
  op.prepared(state, prepared.manifest, prepared.policy);
}

async function submit(
  input: SignatureOperationInput,
  externalReference: string,
  state: op.OperationState,
  view: View,
): Promise<void> {
  view.show(op.submitting(state));
  const started = await startActivities(op.policyOf(state).startRetryIntervalMs, 'start on the load balancer')
    .signstashStartOperation({
      clientServiceId: input.clientServiceId,
      externalReference,
      description: input.description,
      manifest: op.manifestOf(state),
    })
    .catch((err: unknown) => {
      throw startFailure(err);
    });
  view.show(op.accepted(state, externalReference, started, Date.now()));
}

async function pollUntilFinal(
  input: SignatureOperationInput,
  state: op.OperationState,
  view: View,
): Promise<Extract<op.AnswerDecision, { kind: 'final' | 'lost' }>> {
  const at = op.placementOf(state);
  const where = `${at.host}:${at.port}`;
  const ref = { clientServiceId: input.clientServiceId, placement: at };
  for (;;) {
    const next = op.beforeCheck(state, Date.now(), shouldContinueAsNew());
    if (next === 'timed-out') {
      view.show('TIMED_OUT');
      throw ApplicationFailure.create({
        type: signstashFailureTypes.operationTimedOut,
        nonRetryable: true,
        message: `Sign'Stash operation ${at.operationId} was not final after ${Math.round(op.policyOf(state).operationTimeoutMs / 1000)} s`,
        details: [{ placement: at, status: state.view.status }],
      });
    }
    if (next === 'continue-as-new') {
      await continueAsNewAfterHandlers<typeof signstashSignatureOperation>({
        ...input,
        documents: [],
        resume: op.resumeState(state),
      });
    }
    const gone = state.view.goneSinceMs !== undefined;
    await sleep(state.nextDelayMs, {
      summary: gone ? `retry gone instance ${where}` : `next status check on ${where}`,
    });
    op.checking(state);
    const checked = await checkActivities(`status on ${where}`).signstashCheckStatus(ref).catch(lift);
    const fetch = op.statusChecked(state, checked);
    let answer: Parameters<typeof op.answered>[1] = checked;
    if (fetch.fetch) {
      view.show(fetch.status);
      answer = await fetchActivities(`result from ${where}`)
        .signstashFetchResult({ ...ref, manifest: op.manifestOf(state) })
        .catch(lift);
    }
    const decision = op.answered(state, answer, Date.now());
    if (decision.kind !== 'wait') return decision;
    view.show(decision.status);
  }
}

function finish(
  input: SignatureOperationInput,
  state: op.OperationState,
  view: View,
  result: op.Final,
): SignatureOperationResult {
  const outcome = op.finished(state, result, input.externalReference);
  if (outcome.kind === 'completed') {
    view.show(outcome.result.status);
    return outcome.result;
  }
  const at = op.placementOf(state);
  view.show('EXECUTION_FAILED');
  throw ApplicationFailure.create({
    type: signstashFailureTypes.operationFailed,
    nonRetryable: true,
    message: `Sign'Stash operation ${at.operationId} ended EXECUTION_FAILED${result.error ? ` (${result.error.errorCode} ${result.error.errorCodeDescription})` : ''}: nothing was signed`,
    details: [{ placement: at, error: result.error, documents: result.documents, restarts: state.restarts }],
  });
}

function instanceLostFailure(
  state: op.OperationState,
  loss: InstanceLossRecord,
  kind: 'fail' | 'exhausted',
): ApplicationFailure {
  const policy = op.policyOf(state);
  const at = op.placementOf(state);
  if (kind === 'fail') {
    return ApplicationFailure.create({
      type: signstashFailureTypes.instanceLost,
      nonRetryable: true,
      message:
        `Sign'Stash instance ${at.host}:${at.port} holding operation ${at.operationId} was gone (${loss.reason}) for ` +
        `more than ${Math.round(policy.instanceLostAfterMs / 1000)} s; its state is lost. Configured behaviour: fail`,
      details: [{ behaviour: 'fail', loss, restarts: state.restarts }],
    });
  }
  return ApplicationFailure.create({
    type: signstashFailureTypes.restartsExhausted,
    nonRetryable: true,
    message: `Sign'Stash instances were lost ${state.restarts.length + 1} times; all ${policy.maxRestarts} restart(s) are used up`,
    details: [{ behaviour: 'restart', loss, restarts: state.restarts }],
  });
}

function lift(err: unknown): never {
  throw liftFailure(err);
}

/**
 * After the start's last attempt (W-retry's dead-letter step): a final failure keeps its contract type; a transient
 * one (5xx, unreachable, an untyped timeout) becomes `SignstashStartFailed`, which says a person should look.
 */
function startFailure(err: unknown): unknown {
  const type = failureTypeOf(err);
  const transient =
    type === undefined || type === signstashFailureTypes.serverError || type === signstashFailureTypes.unreachable;
  if (!transient || isCancellation(err)) return liftFailure(err);
  return ApplicationFailure.create({
    type: signstashFailureTypes.startFailed,
    nonRetryable: true,
    message: `Sign'Stash did not accept the operation after 3 attempts (${(err as { cause?: Error }).cause?.message ?? 'unknown error'}); it needs a person`,
    cause: err as Error,
  });
}
