import type { Client } from '@temporalio/client';
import { inboxWorkflowId, webhookStatusSignal, type WebhookSubscriptionStatus } from '../../contract/eformidling';
import type { ReadinessCheck } from '../../http/readiness';
import { EformidlingApiError, PingFailedError } from '../../integrations/eformidling/errors';
import type { Logger } from '../../logging/logger';
import type { EformidlingConfig } from './config';

export type SubscriptionOutcome = 'created' | 'updated' | 'kept' | 'disabled';

/**
 * What the worker's start found out about Ferje's webhook subscription, in words for operators. A refused subscription
 * (the IP pinged the push endpoint and got a 4xx/5xx answer: 400 `WebhookPushEndpointPingFailedException`) usually
 * means the push endpoint is wrong or not reachable from the IP (FERJE_INGRESS_PUBLIC_URL, the token, a proxy).
 * Nothing names the endpoint: its path carries the webhook token.
 */
export function subscriptionStatus(
  outcome: SubscriptionOutcome | { error: unknown },
  at: string,
): WebhookSubscriptionStatus | undefined {
  if (outcome === 'disabled') return undefined;
  if (typeof outcome === 'string') return { state: 'active', at };
  const err = outcome.error;
  if (err instanceof PingFailedError)
    return {
      state: 'refused',
      reason:
        'the IP pinged the push endpoint and got an error answer (400 WebhookPushEndpointPingFailedException); ' +
        'check FERJE_INGRESS_PUBLIC_URL and that the ingress is reachable from the IP',
      at,
    };
  if (err instanceof EformidlingApiError)
    return { state: 'refused', reason: `the IP answered ${err.status}${err.exception ? ` ${err.exception}` : ''}`, at };
  return { state: 'unavailable', reason: `the IP could not be asked (${(err as Error).name})`, at };
}

/** One worker's last known subscription state, for `/health/ready` (a warning: polling covers for webhooks). */
export class SubscriptionHealth {
  status: WebhookSubscriptionStatus | undefined;

  readinessCheck(): ReadinessCheck {
    return {
      name: 'eformidling webhooks',
      warnOnly: true,
      check: () =>
        Promise.resolve(
          this.status && this.status.state !== 'active'
            ? `webhook subscription ${this.status.state}: ${this.status.reason ?? 'unknown reason'}; inboxes and messages are polled`
            : undefined,
        ),
    };
  }
}

/** Tells every configured inbox the subscription's state, so `ferje describe` of the inbox shows it. */
export async function tellInboxes(
  client: Client,
  config: EformidlingConfig,
  status: WebhookSubscriptionStatus,
  logger: Logger,
): Promise<void> {
  for (const inbox of config.inboxes) {
    try {
      await client.workflow.getHandle(inboxWorkflowId(inbox.name)).signal(webhookStatusSignal, status);
    } catch (err) {
      logger.warn('could not tell the inbox about the webhook subscription', {
        inbox: inbox.name,
        error: (err as Error).name,
      });
    }
  }
}
