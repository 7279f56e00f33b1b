import type { StatusEntry } from '../../src/contract/eformidling';
import { durationToMs } from '../../src/contract/input-rules';

/**
 * The IP's evidence that a send was taken, as plain functions (unit-tested in test/unit/eformidling/). The IP records
 * nothing when it accepts `POST /api/messages/out/{id}`: it only enqueues the message (`InternalQueue`). The first
 * trace is its transport's: `SENDT` is registered and the outbox row deleted (`NextMoveSender.send`), or `FEIL` from
 * the dead-letter queue, or `LEVETID_UTLOPT` from the expiry job (which also empties the outbox). So "taken" is a status
 * after OPPRETTET or a message gone from the outbox; "still in the outbox with only OPPRETTET" means "not handed to
 * transport yet", which after a send whose answer was lost is either "never arrived" or "queued, transport pending".
 */
export function sendWasTaken(inspection: { inOutbox: boolean; statuses: Pick<StatusEntry, 'status'>[] }): boolean {
  return !inspection.inOutbox || inspection.statuses.some((s) => s.status !== 'OPPRETTET');
}

export const DEFAULT_SEND_EVIDENCE_WINDOW_MS = 15 * 60_000;

/** The caller's window (validated input: it parses), or the default that covers the IP's first transport retries. */
export function sendEvidenceWindowMs(tracking: { sendEvidenceWindow?: string } | undefined): number {
  return (
    durationToMs(tracking?.sendEvidenceWindow ?? DEFAULT_SEND_EVIDENCE_WINDOW_MS) ?? DEFAULT_SEND_EVIDENCE_WINDOW_MS
  );
}

/** Waits after a send the IP answered with its own error or that never connected: 2 s doubling to a minute. */
export function nextNotTakenWaitMs(previousMs: number | undefined): number {
  return previousMs === undefined ? 2_000 : Math.min(60_000, previousMs * 2);
}
