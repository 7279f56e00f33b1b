import { timingSafeEqual } from 'node:crypto';
import { IngressRejection, type IngressRoute } from '../../ingress/route';
import { incomingHintSignal, inboxWorkflowId, messageWorkflowId, statusHintSignal } from '../../contract/eformidling';
import type { StatusHint } from '../../contract/eformidling';
import { isMessageStatus } from '../../contract/eformidling';
import { UUID } from '../../contract/eformidling';
import type { EformidlingConfig } from './config';

export const WEBHOOK_ROUTE = '/webhooks/eformidling/:token';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The integrasjonspunkt's webhook (`ping` and `status` events). The IP does not sign webhooks, so the route is
 * guarded by an unguessable path token (EFORMIDLING_WEBHOOK_TOKEN); the ingress logs only the route pattern.
 * Outgoing statuses signal `eformidling-message/<messageId>` (dropped with a log line if Ferje did not send that
 * message); incoming ones hint the inbox to peek now. Webhooks are hints: polling remains the fallback, and a message
 * workflow confirms a settling status from the IP's own record before it settles (a forged event settles nothing).
 */
export function eformidlingWebhookRoute(config: () => EformidlingConfig): IngressRoute {
  return {
    method: 'POST',
    path: WEBHOOK_ROUTE,
    maxBodyBytes: 64 * 1024,
    async handle(req) {
      const expected = config().webhookToken;
      if (!expected || !sameToken(req.params.token ?? '', expected)) throw new IngressRejection(404, 'no such route');
      const event = parseEvent(req.body);
      if (event.event === 'ping') return { kind: 'respond', status: 200, body: { pong: true } };
      if (event.event !== 'status') return { kind: 'respond', status: 200, body: { ignored: true } };
      const messageId = event.messageId;
      if (typeof messageId !== 'string' || !UUID.test(messageId))
        throw new IngressRejection(400, 'messageId must be a UUID');
      if (!isMessageStatus(event.status)) throw new IngressRejection(400, 'unknown status');
      if (event.direction === 'INCOMING') {
        const inboxes = config().inboxes;
        const inbox =
          inboxes.find((i) => !i.filter.serviceIdentifier || i.filter.serviceIdentifier === event.serviceIdentifier) ??
          inboxes[0];
        if (!inbox || event.status !== 'INNKOMMENDE_MOTTATT')
          return { kind: 'respond', status: 200, body: { ignored: true } };
        return {
          kind: 'signal',
          workflowId: inboxWorkflowId(inbox.name),
          signal: incomingHintSignal.name,
          signalArgs: [{ messageId, status: event.status }],
          ifNotFound: 'accept',
          status: 200,
        };
      }
      const hint: StatusHint = {
        status: event.status,
        source: 'webhook',
        ...(typeof event.description === 'string' ? { description: event.description.slice(0, 500) } : {}),
      };
      return {
        kind: 'signal',
        workflowId: messageWorkflowId(messageId),
        signal: statusHintSignal.name,
        signalArgs: [hint],
        ifNotFound: 'accept',
        status: 200,
      };
    },
  };
}

/** The event as an object; anything else is the caller's error (400), never a crash of the route. */
function parseEvent(body: Buffer): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    throw new IngressRejection(400, 'the body must be a JSON event');
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new IngressRejection(400, 'the body must be a JSON object');
  return event as Record<string, unknown>;
}
