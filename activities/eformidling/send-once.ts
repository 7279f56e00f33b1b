import { EformidlingApiError, MessageNotFoundError } from '../../src/integrations/eformidling/errors';
import type { EformidlingDeps } from './deps';
import { classify } from './failures';
import { toStatusEntry, type Inspection } from './outgoing';

/**
 * What one `POST /api/messages/out/{id}` achieved. The IP's send is not idempotent (every accepted POST enqueues the
 * message again: `NextMoveMessageService.sendMessage` → `InternalQueue.enqueueNextMove`), so a send is never retried
 * blindly: the answer says whether the IP took it, certainly did not, or cannot be known.
 */
export type SendAttempt =
  /** 200, or 404 because an earlier send already handed it to transport (`alreadySent`). */
  | { kind: 'taken'; alreadySent: boolean }
  /** The IP answered with its own error after its handler failed, or the connection was never made. */
  | { kind: 'not-taken'; reason: string }
  /** The request went out and no answer came (or a proxy's 5xx): the IP may have enqueued it. */
  | { kind: 'unknown'; reason: string };

/** Errors raised before any byte of the request reached the IP: the send certainly did not arrive. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

function codeOf(err: unknown): string | undefined {
  const code =
    (err as { code?: unknown; cause?: { code?: unknown } }).code ?? (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : undefined;
}

export function createSendOnceActivities(deps: () => EformidlingDeps) {
  async function inspect(messageId: string): Promise<Inspection> {
    const { ip } = deps();
    const [outbox, statuses] = await Promise.all([ip.getOutgoing(messageId), ip.statuses(messageId)]);
    return { inOutbox: outbox !== undefined, statuses: statuses.map((s) => toStatusEntry(s, 'poll')) };
  }

  return {
    /**
     * Multi-step 3, exactly once: the workflow calls it with no activity retry and decides itself what follows
     * (a retry after `not-taken`, a look for evidence after `unknown`).
     */
    async eformidlingSendOnce(input: { messageId: string }): Promise<SendAttempt> {
      try {
        await deps().ip.sendMessage(input.messageId);
        return { kind: 'taken', alreadySent: false };
      } catch (err) {
        if (err instanceof MessageNotFoundError) {
          // Gone from the outbox: transport took an earlier send (or the expiry job or a DELETE removed it).
          const statuses = await deps().ip.statuses(input.messageId);
          if (statuses.length > 0) return { kind: 'taken', alreadySent: true };
          return { kind: 'unknown', reason: 'not in the outbox and no status yet' };
        }
        if (err instanceof EformidlingApiError) {
          const fromTheIp = err.body?.exception !== undefined;
          // The IP's own error: its handler threw before or while enqueueing (enqueueing is its last step).
          if (fromTheIp && !err.isClientError) return { kind: 'not-taken', reason: `${err.status} ${err.exception}` };
          if (err.isClientError) return classify(err);
          return { kind: 'unknown', reason: `${err.status} without the IP's error body` };
        }
        const code = codeOf(err);
        if (code !== undefined && NOT_CONNECTED.has(code)) return { kind: 'not-taken', reason: code };
        return { kind: 'unknown', reason: code ?? (err as Error).name ?? 'error' };
      }
    },

    /**
     * The IP's evidence about a send: whether the message is still in the outbox (`GET /api/messages/out/{id}`)
     * and its statuses (`GET /api/statuses/{id}`, all pages). Retried until the IP answers.
     */
    async eformidlingInspectSend(input: { messageId: string }): Promise<Inspection> {
      try {
        return await inspect(input.messageId);
      } catch (err) {
        return classify(err);
      }
    },
  };
}
