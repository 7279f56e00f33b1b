import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  executeChild,
  isCancellation,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { workflowMetrics } from '../../src/metrics/workflow-metrics';
import {
  ss12000FailureTypes,
  ss12000WorkflowTypes,
  type ResourceType,
  type Ss12000CarriedState,
  type Ss12000RegistrationRetry,
  type Ss12000SubscriptionInput,
  type Ss12000SubscriptionPhase,
  type Ss12000SubscriptionStatus,
  type Ss12000SyncPassResult,
  type SyncStep,
} from '../../src/contract/ss12000';
import { describeFailure, failureCause, failureTypeOf } from '../common';
import { callbacks, partner, store } from './activities';
import {
  afterRenewalAttempt,
  applyPassResult,
  failedPassResult,
  registered,
  registrationFailed,
  registrationRetryWait,
  recreated,
  renewed,
  sinceFor,
  startPass,
  type ResolvedOptions,
} from './subscription-state';
import type { ss12000SyncPassWorkflow } from './sync-pass';

/** What one run of the subscription workflow works with; the steps below only orchestrate activities over it. */
export interface SubscriptionRun {
  input: Ss12000SubscriptionInput;
  state: Ss12000CarriedState;
  options: ResolvedOptions;
  kept: ResourceType[];
  steps: SyncStep[];
  /** The API Ferje's configuration names for this huvudman (or, in runs recorded before that check, the input's). */
  apiBaseUrl: string | undefined;
  phase: Ss12000SubscriptionPhase;
  currentPass?: Ss12000SubscriptionStatus['currentPass'];
  registrationRetry?: Ss12000RegistrationRetry;
  show(phase: Ss12000SubscriptionPhase): void;
}

function createSubscription(run: SubscriptionRun) {
  return partner.ss12000CreateSubscription.executeWithOptions({ summary: 'POST /subscriptions' }, [
    {
      huvudman: run.input.huvudman,
      organisationId: run.input.organisationId,
      apiBaseUrl: run.apiBaseUrl,
      name: run.input.subscriptionName ?? 'Ferje SS12000 client',
      resourceTypes: run.kept,
    },
  ]);
}

/**
 * Creates the subscription. While the huvudman API is unavailable, rounds of three attempts are repeated with growing
 * waits (status REGISTRATION_RETRYING) until `registrationRetryMinutes` are spent; a refusal fails at once. AP is
 * told the outcome either way.
 */
export async function register(run: SubscriptionRun): Promise<void> {
  run.show('SUBSCRIBING');
  const retries = patched('ss12000-registration-retry');
  const giveUpAt = Date.now() + run.options.registrationRetryMinutes * 60_000;
  for (let round = 1; ; round++) {
    try {
      registered(run.state, await createSubscription(run), run.kept, Date.now());
      break;
    } catch (err) {
      if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
      const reason = describeFailure(err);
      const wait = retries ? registrationRetryWait(round, reason.type, Date.now(), giveUpAt) : undefined;
      if (wait === undefined) return failRegistration(run, err, reason);
      run.registrationRetry = {
        rounds: round,
        lastError: `${reason.type}: ${reason.message}`,
        giveUpAt: new Date(giveUpAt).toISOString(),
        nextAttemptAt: new Date(Date.now() + wait).toISOString(),
      };
      run.show('REGISTRATION_RETRYING');
      await sleep(wait, { summary: `registration round ${round + 1} after ${reason.type}` });
      run.show('SUBSCRIBING');
    }
  }
  run.registrationRetry = undefined;
  await tellAp(run);
}

async function failRegistration(
  run: SubscriptionRun,
  err: ActivityFailure,
  reason: { type: string; message: string },
): Promise<never> {
  registrationFailed(run.state, `${reason.type}: ${reason.message}`);
  run.show('FAILED');
  await tellAp(run);
  await condition(allHandlersFinished);
  throw ApplicationFailure.create({
    type: ss12000FailureTypes.subscriptionFailed,
    message: `The huvudman API did not accept the subscription: ${reason.message}`,
    nonRetryable: true,
    details: [run.state.registration],
    cause: err,
  });
}

/**
 * Tells AP the registration outcome when it gave a callback URL. If AP refuses it (or cannot be reached) after the
 * subscription was created, nobody will use that subscription: Ferje deletes it at the huvudman again instead of
 * leaving it orphaned, and says so (or, if even that fails, names it for the operator).
 */
async function tellAp(run: SubscriptionRun): Promise<void> {
  const callbackUrl = run.input.registrationCallbackUrl;
  if (!callbackUrl) return;
  try {
    await callbacks.ss12000NotifyRegistration.executeWithOptions(
      { summary: `tell AP: ${run.state.registration.status}` },
      [{ callbackUrl, outcome: run.state.registration }],
    );
  } catch (err) {
    if (isCancellation(err)) throw err;
    const sub = run.state.subscription;
    // A failed registration fails the flow with its own reason; AP not hearing of it changes nothing at the huvudman.
    if (run.state.registration.status !== 'SUBSCRIBED' || !sub) return;
    if (!patched('ss12000-callback-compensation')) throw err;
    let reason = `AP refused the registration outcome (${describeFailure(err).message}); the subscription was deleted at the huvudman`;
    try {
      await partner.ss12000DeleteSubscription.executeWithOptions(
        { summary: 'DELETE subscription (AP refused the registration)' },
        [{ huvudman: run.input.huvudman, apiBaseUrl: run.apiBaseUrl, subscriptionId: sub.id }],
      );
      run.state.subscription = undefined;
    } catch (deleteErr) {
      if (isCancellation(deleteErr)) throw deleteErr;
      reason = `AP refused the registration outcome; deleting subscription ${sub.id} at the huvudman failed too (${describeFailure(deleteErr).message}): delete it there by hand`;
    }
    registrationFailed(run.state, reason);
    run.show('FAILED');
    throw ApplicationFailure.create({
      type: ss12000FailureTypes.registrationCallbackRefused,
      message: reason,
      nonRetryable: true,
      details: [run.state.registration],
      cause: err as Error,
    });
  }
}

/** One sync pass of everything pending, as a child workflow; the outcome per step updates the watermarks. */
export async function runPass(run: SubscriptionRun): Promise<void> {
  const { input, state } = run;
  const pass = startPass(state);
  run.currentPass = pass;
  run.show('SYNCING');
  let result: Ss12000SyncPassResult;
  try {
    // By type name: the guarded workflow function has no name of its own to derive it from.
    result = await executeChild<typeof ss12000SyncPassWorkflow>(ss12000WorkflowTypes.syncPass, {
      workflowId: `${workflowInfo().workflowId}/pass-${pass.passNumber}`,
      staticSummary: `Pass ${pass.passNumber} (${pass.kind}) of huvudman ${input.huvudman}: ${pass.steps.join(', ')}`,
      args: [
        {
          huvudman: input.huvudman,
          apiBaseUrl: run.apiBaseUrl,
          passNumber: pass.passNumber,
          kind: pass.kind,
          steps: pass.steps,
          keptTypes: run.kept,
          since: sinceFor(state, pass.steps, run.options.overlapSeconds),
          pageLimit: run.options.pageLimit,
        },
      ],
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = failureCause(err);
    const details = cause?.type === ss12000FailureTypes.syncPassFailed ? cause.details : undefined;
    result =
      (details?.[0] as Ss12000SyncPassResult | undefined) ??
      failedPassResult(input.huvudman, pass, describeFailure(err));
  }
  applyPassResult(state, result, run.options, Date.now());
  run.currentPass = undefined;
  await store.ss12000RecordTypeStates.executeWithOptions({ summary: 'record watermarks in the store' }, [
    {
      huvudman: input.huvudman,
      rows: result.steps.map((outcome) => ({
        step: outcome.step,
        watermark: state.types[outcome.step]?.watermark,
        passNumber: result.passNumber,
        kind: result.kind,
        outcome,
      })),
    },
  ]);
}

/** PATCH before expiry; a 404 means the huvudman lost it: recreate and catch up on everything since. */
export async function renewOrRecreate(run: SubscriptionRun, now: number): Promise<void> {
  afterRenewalAttempt(run.state, await renewedOrRecreated(run), now);
}

async function renewedOrRecreated(run: SubscriptionRun): Promise<boolean> {
  const sub = run.state.subscription;
  if (!sub) return true;
  try {
    const answer = await partner.ss12000RenewSubscription.executeWithOptions(
      { summary: 'PATCH subscription (renew)' },
      [{ huvudman: run.input.huvudman, apiBaseUrl: run.apiBaseUrl, subscriptionId: sub.id }],
    );
    renewed(run.state, answer.expires, Date.now());
    return true;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    if (failureTypeOf(err) !== ss12000FailureTypes.subscriptionLost) return false;
  }
  try {
    recreated(run.state, await createSubscription(run), run.steps, Date.now());
    workflowMetrics.count(ferjeMetrics.ss12000SubscriptionLost);
    return true;
  } catch (err) {
    if (err instanceof ActivityFailure) return false;
    throw err;
  }
}

/** Cancelling the workflow deletes the subscription at the huvudman (best effort: 204 also for unknown ones). */
export async function unsubscribe(run: SubscriptionRun): Promise<void> {
  const sub = run.state.subscription;
  if (!sub) return;
  // The workflow is cancelled: only a non-cancellable scope can still schedule the DELETE.
  await CancellationScope.nonCancellable(() =>
    partner.ss12000DeleteSubscription
      .executeWithOptions({ summary: 'DELETE subscription' }, [
        { huvudman: run.input.huvudman, apiBaseUrl: run.apiBaseUrl, subscriptionId: sub.id },
      ])
      .catch(() => undefined),
  );
}
