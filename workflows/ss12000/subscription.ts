import { condition, isCancellation, patched, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes } from '../../src/contract/search-attributes';
import {
  ss12000RegistrationUpdate,
  ss12000StatusQuery,
  ss12000WebhookSignal,
  validateSs12000SubscriptionInput,
  validateSs12000WebhookSignal,
  type Ss12000SubscriptionInput,
  type Ss12000SubscriptionResult,
  type Ss12000SubscriptionStatus,
  type Ss12000SubscriptionWorkflowStatus,
} from '../../src/contract/ss12000';
import {
  continueAsNewAfterHandlers,
  createOperatorView,
  guardedWorkflow,
  invalidInputFailure,
  shouldContinueAsNew,
  validateMessage,
} from '../common';
import { checks } from './activities';
import { subscriptionDetails } from './details';
import {
  initialState,
  keptTypesAndSteps,
  nextAction,
  queueSafetyPassIfDue,
  queueWebhook,
  rejectWebhook,
  resolveOptions,
  statusOf,
} from './subscription-state';
import { register, renewOrRecreate, runPass, unsubscribe, type SubscriptionRun } from './subscription-steps';

const what = 'SS12000 subscription input';

/**
 * One per registered huvudman API, long-lived. Creates the subscription (target unique to this huvudman), tells AP
 * the outcome, runs the full sync, then turns webhooks into sync passes: queued, coalesced and run strictly one at
 * a time, each type from its own watermark — so a later webhook can never overtake an earlier one. Renews the
 * subscription before it expires and recreates it (with a catch-up pass) if the huvudman lost it. Cancelling the
 * workflow deletes the subscription. Decisions live in subscription-state.ts; this function only orchestrates.
 */
export const ss12000SubscriptionWorkflow = guardedWorkflow(what, validateSs12000SubscriptionInput, subscribeAndSync);

async function subscribeAndSync(input: Ss12000SubscriptionInput): Promise<Ss12000SubscriptionResult> {
  const run = startRun(input);
  const { state, steps } = run;
  installHandlers(run);
  try {
    // Partner endpoints come from Ferje's configuration, never from the caller (runs recorded before: the input's).
    if (patched('ss12000-endpoints-from-config')) {
      const checked = await checks.ss12000CheckEndpoints.executeWithOptions({ summary: 'check endpoints' }, [
        {
          huvudman: input.huvudman,
          apiBaseUrl: input.apiBaseUrl,
          registrationCallbackUrl: input.registrationCallbackUrl,
        },
      ]);
      if (checked.problems.length > 0) throw invalidInputFailure(what, checked.problems);
      run.apiBaseUrl = checked.apiBaseUrl;
    }
    if (!state.subscription && state.registration.status !== 'SUBSCRIBED') await register(run);
    for (;;) {
      if (shouldContinueAsNew())
        await continueAsNewAfterHandlers<typeof ss12000SubscriptionWorkflow>({ ...input, carried: state });
      const now = Date.now();
      const next = nextAction(state, run.options, now);
      if (next.kind === 'renew') {
        await renewOrRecreate(run, now);
        run.show('WAITING');
        continue;
      }
      if (next.kind === 'pass') {
        if (next.quietUntil > now)
          await sleep(next.quietUntil - now, { summary: 'collect more webhooks before the pass' });
        await runPass(run);
        run.show('WAITING');
        continue;
      }
      run.show(state.retryAt ? 'RETRY_WAIT' : 'WAITING');
      const webhooksBefore = state.webhooksReceived;
      const woken = await condition(
        () => state.webhooksReceived !== webhooksBefore && state.pending.steps.length > 0,
        Math.max(1, next.wakeAt - Date.now()),
        { summary: 'wait for a webhook, renewal or safety pass' },
      );
      if (!woken) queueSafetyPassIfDue(state, steps, next.safetyAt, Date.now());
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await unsubscribe(run);
    run.show('UNSUBSCRIBED');
    return { huvudman: input.huvudman, status: 'UNSUBSCRIBED', passes: state.passNumber };
  }
}

/** This run's state and its operator view (FerjeStatus + details, re-rendered on every `show`). */
function startRun(input: Ss12000SubscriptionInput): SubscriptionRun {
  const { kept, steps } = keptTypesAndSteps(input.resourceTypes);
  const state = input.carried ?? initialState(input.huvudman);
  // Runs recorded before the shared operator view upserted FerjeStatus on every show, changed or not.
  const upsertEveryShow = !patched('ss12000-status-upserted-on-change');
  const run: SubscriptionRun = {
    input,
    state,
    options: resolveOptions(input.options),
    kept,
    steps,
    apiBaseUrl: input.apiBaseUrl,
    phase: state.subscription ? 'WAITING' : 'SUBSCRIBING',
    show: () => undefined,
  };
  const view = createOperatorView<Ss12000SubscriptionWorkflowStatus>(() =>
    subscriptionDetails(input.huvudman, state, run, steps),
  );
  run.show = (phase) => {
    run.phase = phase;
    const status = statusOf(phase, state);
    if (upsertEveryShow && status === view.status)
      upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
    view.show(status);
  };
  return run;
}

/** Signal, query and update handlers; a malformed webhook signal is counted and ignored, never fatal. */
function installHandlers(run: SubscriptionRun): void {
  const { state, input, kept } = run;
  setHandler(
    ss12000WebhookSignal,
    (signal) => {
      if (validateMessage('SS12000 webhook signal', validateSs12000WebhookSignal, signal)) rejectWebhook(state);
      else queueWebhook(state, signal, kept);
    },
    { description: 'A webhook the ingress accepted (JWT checked): the types to fetch and whether to fetch deletions' },
  );
  setHandler(
    ss12000StatusQuery,
    (): Ss12000SubscriptionStatus =>
      JSON.parse(
        JSON.stringify({
          ...state,
          huvudman: input.huvudman,
          phase: run.phase,
          currentPass: run.currentPass,
          registrationRetry: run.registrationRetry,
        }),
      ) as Ss12000SubscriptionStatus,
    { description: 'Registration, subscription, watermark and last outcome per resource type, pending work' },
  );
  setHandler(
    ss12000RegistrationUpdate,
    async () => {
      await condition(() => state.registration.status !== 'PENDING');
      return state.registration;
    },
    { description: 'Waits until the subscription is created (or failed) and returns the outcome' },
  );
}
