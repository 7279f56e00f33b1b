import {
  ss12000WebhookSignal,
  ss12000SubscriptionWorkflowId,
  isResourceType,
  type ResourceType,
  type Ss12000WebhookSignal,
} from '../../contract/ss12000';
import { IngressRejection, type IngressRoute } from '../../ingress/route';
import type { Logger } from '../../logging/logger';
import type { WebhookBody } from '../../integrations/ss12000/model';
import { WebhookUnauthorizedError, type WebhookAuthenticator } from '../../integrations/ss12000/webhook-auth';

/** Folds the spelling variants of a notice into the signal the subscription workflow takes. */
export function parseWebhookBody(body: Buffer, receivedAt: string): Ss12000WebhookSignal {
  const parsed = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8')) as WebhookBody;
  if (typeof parsed !== 'object' || parsed === null) throw new IngressRejection(400, 'body must be a JSON object');
  const listed: unknown[] = [
    ...(Array.isArray(parsed.modifiedEntities) ? (parsed.modifiedEntities as unknown[]) : []),
    ...(Array.isArray(parsed.modifiedEntites) ? (parsed.modifiedEntites as unknown[]) : []),
  ];
  const modifiedTypes = [...new Set(listed.filter(isResourceType))] as ResourceType[];
  return { modifiedTypes, deleted: parsed.deletedEntities === true, receivedAt };
}

/**
 * `POST /webhooks/ss12000/:huvudman/:mac` — the target each subscription registers. The token is checked before the
 * body is read; anything that fails the check is a 401 and no signal. An accepted notice becomes a signal to the
 * huvudman's subscription workflow; the huvudman gets exactly 200 (the reference notifier treats anything else as
 * a failure) once Temporal holds it.
 */
export function ss12000WebhookRoute(auth: WebhookAuthenticator, logger: Logger): IngressRoute {
  return {
    method: 'POST',
    path: '/webhooks/ss12000/:huvudman/:mac',
    maxBodyBytes: 64 * 1024,
    async handle(req) {
      try {
        await auth.authenticate(req.headers, req.params.huvudman, req.params.mac);
      } catch (err) {
        if (err instanceof WebhookUnauthorizedError) {
          logger.warn('ss12000 webhook refused', { reason: err.message });
          throw new IngressRejection(401, 'unauthorized');
        }
        throw err;
      }
      const signal = parseWebhookBody(req.body, new Date().toISOString());
      if (signal.modifiedTypes.length === 0 && !signal.deleted) {
        return { kind: 'respond', status: 200, body: { accepted: true, note: 'nothing to fetch' } };
      }
      return {
        kind: 'signal',
        workflowId: ss12000SubscriptionWorkflowId(req.params.huvudman),
        signal: ss12000WebhookSignal.name,
        signalArgs: [signal],
        ifNotFound: 'reject',
        status: 200,
        body: { accepted: true },
      };
    },
  };
}
