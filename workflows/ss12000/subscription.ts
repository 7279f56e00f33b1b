import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { workflowMetrics } from '../../src/metrics/workflow-metrics';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { searchAttributes } from '../../src/contract/search-attributes';
import {
  ss12000RegistrationUpdate,
  ss12000StatusQuery,
  ss12000WebhookSignal,
} from '../../src/contract/ss12000/definitions';
import { ss12000FailureTypes } from '../../src/contract/ss12000/failure-types';
import { resourceTypes, syncSteps, type ResourceType, type SyncStep } from '../../src/contract/ss12000/resource-types';
import type {
  PassKind,
  Ss12000CarriedState,
  Ss12000SubscriptionInput,
  Ss12000SubscriptionResult,
  Ss12000SubscriptionStatus,
  Ss12000SyncPassResult,
} from '../../src/contract/ss12000/types';
import type { Ss12000Activities } from '../../activities/ss12000';
import { errorInWords, subscriptionDetails } from './details';
import { applyPassResult, initialState, queueSteps, queueWebhook, resolveOptions, sinceFor } from './state';
import { ss12000SyncPassWorkflow } from './sync-pass';

const subscriptions = proxyActivities<Ss12000Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

const bookkeeping = proxyActivities<Ss12000Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 10 },
});

const callbacks = proxyActivities<Ss12000Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});

const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const ORG_ID = /^[A-Za-z0-9-]{2,40}$/;
const DAY_MS = 86_400_000;

function validateInput(input: Ss12000SubscriptionInput): void {
  const problems: string[] = [];
  if (!HTTP_URL.test(input.apiBaseUrl ?? '')) problems.push('apiBaseUrl must be an absolute http(s) URL');
  if (!ORG_ID.test(input.organisationId ?? '')) problems.push('organisationId must be 2-40 letters, digits or dashes');
  if (
    input.resourceTypes &&
    (input.resourceTypes.length === 0 || input.resourceTypes.some((t) => !resourceTypes.includes(t)))
  ) {
    problems.push(`resourceTypes must be a non-empty list of ${resourceTypes.join(', ')}`);
  }
  if (input.registrationCallbackUrl !== undefined && !HTTP_URL.test(input.registrationCallbackUrl)) {
    problems.push('registrationCallbackUrl must be an absolute http(s) URL');
  }
  const o = input.options ?? {};
  if (o.pageLimit !== undefined && (!Number.isInteger(o.pageLimit) || o.pageLimit < 1 || o.pageLimit > 10_000)) {
    problems.push('options.pageLimit must be 1-10000');
  }
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: commonFailureTypes.invalidInput,
      message: `Invalid SS12000 subscription input: ${problems.join('; ')}`,
      nonRetryable: true,
      details: problems.map((problem) => ({ problem })),
    });
  }
}

/**
 * One per registered huvudman API, long-lived. Creates the subscription (target unique to this huvudman), tells AP
 * the outcome, runs the full sync, then turns webhooks into sync passes: queued, coalesced and run strictly one at
 * a time, each type from its own watermark — so a later webhook can never overtake an earlier one. Renews the
 * subscription before it expires and recreates it (with a catch-up pass) if the huvudman lost it. Cancelling the
 * workflow deletes the subscription.
 */
export async function ss12000SubscriptionWorkflow(input: Ss12000SubscriptionInput): Promise<Ss12000SubscriptionResult> {
  validateInput(input);
  const options = resolveOptions(input.options);
  const kept: ResourceType[] = resourceTypes.filter((t) => (input.resourceTypes ?? resourceTypes).includes(t));
  const steps: SyncStep[] = syncSteps.filter((s) => s === 'Deleted' || kept.includes(s));
  const state: Ss12000CarriedState = input.carried ?? initialState(input.huvudman);
  let phase: Ss12000SubscriptionStatus['phase'] = state.subscription ? 'WAITING' : 'SUBSCRIBING';
  let currentPass: Ss12000SubscriptionStatus['currentPass'];

  const show = (next: typeof phase): void => {
    phase = next;
    setCurrentDetails(subscriptionDetails(input.huvudman, state, phase, steps));
    const status = phase === 'WAITING' ? (state.lastPass?.outcome === 'FAILED' ? 'RETRY_WAIT' : 'CURRENT') : phase;
    upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
  };

  setHandler(
    ss12000WebhookSignal,
    (signal) => {
      queueWebhook(state, signal, kept);
    },
    { description: 'A webhook the ingress accepted (JWT checked): the types to fetch and whether to fetch deletions' },
  );
  setHandler(
    ss12000StatusQuery,
    (): Ss12000SubscriptionStatus =>
      JSON.parse(
        JSON.stringify({ ...state, huvudman: input.huvudman, phase, currentPass }),
      ) as Ss12000SubscriptionStatus,
    {
      description: 'Registration, subscription, watermark and last outcome per resource type, pending work',
    },
  );
  setHandler(
    ss12000RegistrationUpdate,
    async () => {
      await condition(() => state.registration.status !== 'PENDING');
      return state.registration;
    },
    { description: 'Waits until the subscription is created (or failed) and returns the outcome' },
  );

  const createSubscription = () =>
    subscriptions.ss12000CreateSubscription.executeWithOptions(
      {
        startToCloseTimeout: '1 minute',
        retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
        summary: 'POST /subscriptions',
      },
      [
        {
          huvudman: input.huvudman,
          organisationId: input.organisationId,
          apiBaseUrl: input.apiBaseUrl,
          name: input.subscriptionName ?? 'Ferje SS12000 client',
          resourceTypes: kept,
        },
      ],
    );

  const tellAp = async (): Promise<void> => {
    if (!input.registrationCallbackUrl) return;
    await callbacks.ss12000NotifyRegistration.executeWithOptions(
      {
        startToCloseTimeout: '1 minute',
        retry: {
          initialInterval: '5 seconds',
          backoffCoefficient: 2,
          maximumInterval: '10 minutes',
          maximumAttempts: 20,
        },
        summary: `tell AP: ${state.registration.status}`,
      },
      [{ callbackUrl: input.registrationCallbackUrl, outcome: state.registration }],
    );
  };

  const runPass = async (): Promise<void> => {
    const passNumber = ++state.passNumber;
    const passSteps = [...state.pending.steps];
    const kind: PassKind = state.pending.kind;
    state.pending = { steps: [], kind: 'webhook' };
    currentPass = { passNumber, kind, steps: passSteps };
    show('SYNCING');
    let result: Ss12000SyncPassResult;
    try {
      result = await executeChild(ss12000SyncPassWorkflow, {
        workflowId: `${workflowInfo().workflowId}/pass-${passNumber}`,
        staticSummary: `Pass ${passNumber} (${kind}) of huvudman ${input.huvudman}: ${passSteps.join(', ')}`,
        args: [
          {
            huvudman: input.huvudman,
            apiBaseUrl: input.apiBaseUrl,
            passNumber,
            kind,
            steps: passSteps,
            keptTypes: kept,
            since: sinceFor(state, passSteps, options.overlapSeconds),
            pageLimit: options.pageLimit,
          },
        ],
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
      const details =
        cause instanceof ApplicationFailure && cause.type === ss12000FailureTypes.syncPassFailed
          ? cause.details
          : undefined;
      result = (details?.[0] as Ss12000SyncPassResult | undefined) ?? {
        huvudman: input.huvudman,
        passNumber,
        kind,
        outcome: 'FAILED',
        steps: passSteps.map((step) => ({
          step,
          status: 'FAILED',
          pages: 0,
          fetched: 0,
          stored: 0,
          invalid: 0,
          deleted: 0,
          error: { type: cause?.name ?? 'ChildWorkflowFailure', message: cause?.message ?? (err as Error).message },
        })),
      };
    }
    applyPassResult(state, result, options, Date.now());
    currentPass = undefined;
    await bookkeeping.ss12000RecordTypeStates.executeWithOptions(
      {
        startToCloseTimeout: '1 minute',
        retry: { initialInterval: '1 second', maximumAttempts: 10 },
        summary: 'record watermarks in the store',
      },
      [
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
      ],
    );
  };

  /** PATCH before expiry; a 404 means the huvudman lost it: recreate and catch up on everything since. */
  const renewOrRecreate = async (): Promise<boolean> => {
    const sub = state.subscription!;
    try {
      const renewed = await subscriptions.ss12000RenewSubscription.executeWithOptions(
        {
          startToCloseTimeout: '1 minute',
          retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
          summary: 'PATCH subscription (renew)',
        },
        [{ apiBaseUrl: input.apiBaseUrl, subscriptionId: sub.id }],
      );
      sub.expires = renewed.expires ?? new Date(Date.now() + 90 * DAY_MS).toISOString();
      state.renewals++;
      return true;
    } catch (err) {
      if (!(err instanceof ActivityFailure) || errorInWords(err).type !== ss12000FailureTypes.subscriptionLost) {
        if (err instanceof ActivityFailure) return false;
        throw err;
      }
    }
    workflowMetrics.count(ferjeMetrics.ss12000SubscriptionLost);
    try {
      state.subscription = await createSubscription();
      state.recreations++;
      // Notices sent while it was gone were lost: fetch every type (and deletions) from the watermarks.
      queueSteps(state, [...steps], 'catch-up', new Date(Date.now()).toISOString());
      return true;
    } catch (err) {
      if (err instanceof ActivityFailure) return false;
      throw err;
    }
  };

  try {
    if (!state.subscription && state.registration.status !== 'SUBSCRIBED') {
      show('SUBSCRIBING');
      try {
        state.subscription = await createSubscription();
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const reason = errorInWords(err);
        state.registration = {
          huvudman: input.huvudman,
          status: 'FAILED',
          reason: `${reason.type}: ${reason.message}`,
        };
        show('FAILED');
        await tellAp();
        await condition(allHandlersFinished);
        throw ApplicationFailure.create({
          type: ss12000FailureTypes.subscriptionFailed,
          message: `The huvudman API did not accept the subscription: ${reason.message}`,
          nonRetryable: true,
          details: [state.registration],
        });
      }
      state.registration = {
        huvudman: input.huvudman,
        status: 'SUBSCRIBED',
        subscriptionId: state.subscription.id,
        expires: state.subscription.expires,
      };
      queueSteps(state, [...kept], 'full', new Date(Date.now()).toISOString());
      await tellAp();
    }

    for (;;) {
      if (workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof ss12000SubscriptionWorkflow>({ ...input, carried: state });
      }
      const now = Date.now();
      const expires = state.subscription?.expires ? Date.parse(state.subscription.expires) : NaN;
      // The back-off after a failed renewal is carried state: a run that continued as new must not retry at once.
      const renewRetryAt = state.renewRetryAt ? Date.parse(state.renewRetryAt) : 0;
      const renewAt = Number.isNaN(expires)
        ? Infinity
        : Math.max(expires - options.renewBeforeExpiryHours * 3_600_000, renewRetryAt);
      if (now >= renewAt) {
        state.renewRetryAt = (await renewOrRecreate()) ? undefined : new Date(now + 3_600_000).toISOString();
        show('WAITING');
        continue;
      }
      const retryAt = state.retryAt ? Date.parse(state.retryAt) : 0;
      if (state.pending.steps.length > 0 && now >= retryAt) {
        const quietUntil =
          state.pending.kind === 'webhook' && state.pending.firstAt
            ? Date.parse(state.pending.firstAt) + options.webhookQuietSeconds * 1000
            : 0;
        if (quietUntil > now) {
          await sleep(quietUntil - now, { summary: 'collect more webhooks before the pass' });
        }
        await runPass();
        show('WAITING');
        continue;
      }
      const lastPassAt = state.lastPass ? Date.parse(state.lastPass.finishedAt) : now;
      const safetyAt = lastPassAt + options.safetyPassMinutes * 60_000;
      const wakeAt = Math.min(renewAt, safetyAt, state.pending.steps.length > 0 ? retryAt : Infinity);
      show(state.retryAt ? 'RETRY_WAIT' : 'WAITING');
      const pendingBefore = state.webhooksReceived;
      const woken = await condition(
        () => state.webhooksReceived !== pendingBefore && state.pending.steps.length > 0,
        Math.max(1, wakeAt - Date.now()),
        { summary: 'wait for a webhook, renewal or safety pass' },
      );
      if (!woken && Date.now() >= safetyAt && state.pending.steps.length === 0) {
        // Webhooks are best-effort hints: with none for a while, look for changes anyway.
        queueSteps(state, [...steps], 'safety', new Date(Date.now()).toISOString());
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      if (state.subscription) {
        await subscriptions.ss12000DeleteSubscription
          .executeWithOptions(
            {
              startToCloseTimeout: '1 minute',
              retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
              summary: 'DELETE subscription',
            },
            [{ apiBaseUrl: input.apiBaseUrl, subscriptionId: state.subscription.id }],
          )
          .catch(() => undefined);
      }
    });
    show('UNSUBSCRIBED');
    return { huvudman: input.huvudman, status: 'UNSUBSCRIBED', passes: state.passNumber };
  }
}
