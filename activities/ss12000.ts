import { ApplicationFailure, Context } from '@temporalio/activity';
import { request } from 'undici';
import type { ResourceType, SyncStep } from '../src/contract/ss12000/resource-types';
import type { Ss12000RegistrationOutcome, Ss12000Subscription } from '../src/contract/ss12000/types';
import { commonFailureTypes } from '../src/contract/failure-types';
import { Ss12000ApiClient } from '../src/integrations/ss12000/api-client';
import { loadSs12000Config, type Ss12000Config } from '../src/integrations/ss12000/config';
import { Ss12000Error } from '../src/integrations/ss12000/errors';
import { PageSyncer, type PageCounts } from '../src/integrations/ss12000/page-sync';
import { configuredStoreLocation, openSs12000Store } from '../src/integrations/ss12000/store/open-store';
import type { Ss12000Store, TypeStateRow } from '../src/integrations/ss12000/store/store';
import { createTokenProvider } from '../src/integrations/ss12000/token-provider';
import { EntityValidator } from '../src/integrations/ss12000/validation';
import { webhookTargetUrl } from '../src/integrations/ss12000/webhook-auth';
import type { IntegrationContext } from '../src/platform/integration';

export interface Ss12000ActivityDeps {
  /** Use this store instead of the configured one (tests, other sinks). */
  store?: Ss12000Store;
  config?: Ss12000Config;
}

/** Turns client errors into failures with the contract's types; retryable only where a retry can help. */
function asFailure(err: unknown): unknown {
  if (err instanceof Ss12000Error) {
    return ApplicationFailure.create({ message: err.message, type: err.failureType, nonRetryable: !err.retryable });
  }
  return err;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asFailure(err);
  }
}

export function createSs12000Activities(ctx: IntegrationContext, deps: Ss12000ActivityDeps = {}) {
  const config = deps.config ?? loadSs12000Config(ctx.env, ctx.config);
  const tokens = createTokenProvider(config);
  const logger = ctx.logger.child('ss12000');
  let validator: EntityValidator | undefined;
  let store: Promise<Ss12000Store> | undefined;
  // A store that could not be opened (Postgres not reachable yet) is tried again by the next activity.
  const openStore = (): Promise<Ss12000Store> =>
    (store ??= deps.store
      ? Promise.resolve(deps.store)
      : openSs12000Store(configuredStoreLocation(config)).catch((err: unknown) => {
          store = undefined;
          throw err;
        }));
  const client = (apiBaseUrl: string): Ss12000ApiClient =>
    new Ss12000ApiClient({ baseUrl: apiBaseUrl, tokens, timeoutMs: config.httpTimeoutMs });

  return {
    /** POST /subscriptions with a target unique to this huvudman (and bound to its organisation id). */
    async ss12000CreateSubscription(input: {
      huvudman: string;
      organisationId: string;
      apiBaseUrl: string;
      name: string;
      resourceTypes: ResourceType[];
    }): Promise<Ss12000Subscription> {
      return guarded(async () => {
        const target = webhookTargetUrl(config, input.huvudman, input.organisationId);
        const sub = await client(input.apiBaseUrl).createSubscription({
          name: input.name,
          target,
          resourceTypes: input.resourceTypes,
        });
        return { id: sub.id, expires: sub.expires, target };
      });
    },

    async ss12000RenewSubscription(input: {
      apiBaseUrl: string;
      subscriptionId: string;
    }): Promise<{ expires?: string }> {
      return guarded(async () => ({
        expires: (await client(input.apiBaseUrl).renewSubscription(input.subscriptionId)).expires,
      }));
    },

    async ss12000DeleteSubscription(input: { apiBaseUrl: string; subscriptionId: string }): Promise<void> {
      return guarded(() => client(input.apiBaseUrl).deleteSubscription(input.subscriptionId));
    },

    /** One page: GET, validate, upsert, report. Returns counts and the next token only. */
    async ss12000SyncPage(input: {
      huvudman: string;
      apiBaseUrl: string;
      step: SyncStep;
      since?: string;
      pageToken?: string;
      limit: number;
      keptTypes: ResourceType[];
    }): Promise<PageCounts> {
      return guarded(async () => {
        validator ??= new EntityValidator();
        const syncer = new PageSyncer({
          client: client(input.apiBaseUrl),
          validator,
          store: await openStore(),
          reportConcurrency: config.reportConcurrency,
          logger,
        });
        // Heartbeats let a replacement worker take the page over within the heartbeat timeout after a crash.
        const ctx = Context.current();
        ctx.heartbeat();
        const beat = setInterval(() => ctx.heartbeat(), 3000);
        try {
          return await syncer.syncPage(input);
        } finally {
          clearInterval(beat);
        }
      });
    },

    /** When a pass fails: one log entry per resource type that failed or was not fetched because of it. */
    async ss12000ReportPassFailure(input: {
      apiBaseUrl: string;
      failed: { step: SyncStep; message: string }[];
    }): Promise<{ posted: number }> {
      const api = client(input.apiBaseUrl);
      let posted = 0;
      for (const f of input.failed) {
        try {
          await api.postLog({
            message: f.message,
            severityLevel: 'Error',
            messageType: 'SyncFailed',
            resourceType: f.step === 'Deleted' ? undefined : f.step,
            resourceUrl: `${api.baseUrl}${f.step === 'Deleted' ? '/deletedEntities' : ''}`,
            timeOfOccurance: new Date().toISOString(),
          });
          posted++;
        } catch (err) {
          logger.warn('ss12000 failure report not accepted', { error: (err as Error).name });
        }
      }
      return { posted };
    },

    /** Mirrors watermarks and last outcomes into the store, for `ferje ss12000-status` without Temporal. */
    async ss12000RecordTypeStates(input: { huvudman: string; rows: TypeStateRow[] }): Promise<void> {
      await (await openStore()).recordTypeStates(input.huvudman, input.rows);
    },

    /** Tells the registering party (AP) whether the subscription was created. */
    async ss12000NotifyRegistration(input: {
      callbackUrl: string;
      outcome: Ss12000RegistrationOutcome;
    }): Promise<void> {
      let status: number;
      try {
        const res = await request(input.callbackUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input.outcome),
          headersTimeout: config.httpTimeoutMs,
          bodyTimeout: config.httpTimeoutMs,
          signal: Context.current().cancellationSignal,
        });
        await res.body.dump();
        status = res.statusCode;
      } catch (err) {
        throw ApplicationFailure.retryable(
          `registration callback unreachable (${(err as Error).name})`,
          'Ss12000CallbackUnavailable',
        );
      }
      if (status >= 500 || status === 429)
        throw ApplicationFailure.retryable(
          `registration callback answered HTTP ${status}`,
          'Ss12000CallbackUnavailable',
        );
      if (status >= 400)
        throw ApplicationFailure.nonRetryable(
          `registration callback answered HTTP ${status}`,
          commonFailureTypes.rejectedByPartner,
        );
    },
  };
}

export type Ss12000Activities = ReturnType<typeof createSs12000Activities>;
