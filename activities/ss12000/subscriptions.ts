import type { InputProblem } from '../../src/contract/failure-types';
import type { ResourceType, Ss12000Subscription } from '../../src/contract/ss12000';
import { webhookTargetUrl } from '../../src/integrations/ss12000/webhook-auth';
import type { Ss12000ActivityContext } from './deps';
import { checkCallbackUrl, resolveApiBaseUrl } from './endpoints';
import { classified } from './failures';
import { withHeartbeats } from '../common/heartbeat';

/** Checking the partner endpoints against the configuration, and creating, renewing and deleting the subscription. */
export function subscriptionActivities(ctx: Ss12000ActivityContext) {
  return {
    /**
     * The configured API of this huvudman, and what in the input names an endpoint Ferje may not call (the workflow
     * fails with `FerjeInvalidInput` on any problem, before the first request).
     */
    async ss12000CheckEndpoints(input: {
      huvudman: string;
      apiBaseUrl?: string;
      registrationCallbackUrl?: string;
    }): Promise<{ apiBaseUrl?: string; problems: InputProblem[] }> {
      const api = resolveApiBaseUrl(ctx.config.endpoints, input.huvudman, input.apiBaseUrl);
      const callback = checkCallbackUrl(ctx.config.endpoints, input.registrationCallbackUrl);
      return { apiBaseUrl: api.apiBaseUrl, problems: [api.problem, callback].filter((p) => p !== undefined) };
    },

    /** POST /subscriptions with a target unique to this huvudman (and bound to its organisation id). */
    async ss12000CreateSubscription(input: {
      huvudman: string;
      organisationId: string;
      apiBaseUrl?: string;
      name: string;
      resourceTypes: ResourceType[];
    }): Promise<Ss12000Subscription> {
      return classified(() =>
        withHeartbeats(async () => {
          const client = ctx.client(input.huvudman, input.apiBaseUrl);
          const target = webhookTargetUrl(ctx.config.webhook, input.huvudman, input.organisationId);
          const sub = await client.createSubscription({ name: input.name, target, resourceTypes: input.resourceTypes });
          return { id: sub.id, expires: sub.expires, target };
        }),
      );
    },

    async ss12000RenewSubscription(input: {
      huvudman?: string;
      apiBaseUrl?: string;
      subscriptionId: string;
    }): Promise<{ expires?: string }> {
      return classified(() =>
        withHeartbeats(async () => ({
          expires: (await ctx.client(input.huvudman, input.apiBaseUrl).renewSubscription(input.subscriptionId)).expires,
        })),
      );
    },

    async ss12000DeleteSubscription(input: {
      huvudman?: string;
      apiBaseUrl?: string;
      subscriptionId: string;
    }): Promise<void> {
      return classified(() =>
        withHeartbeats(() => ctx.client(input.huvudman, input.apiBaseUrl).deleteSubscription(input.subscriptionId)),
      );
    },
  };
}
