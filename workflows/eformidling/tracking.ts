import type { StatusEntry, StatusHint } from '../../src/contract/eformidling';

/**
 * Merges what a poll returned with what is already known. Polled entries (with the IP's ids) are authoritative;
 * a hint (webhook, no id) stays only until a poll shows the same status. Sorted by the IP's order.
 */
export function mergePolled(known: StatusEntry[], polled: StatusEntry[]): StatusEntry[] {
  const polledStatuses = new Set(polled.map((s) => s.status));
  const polledIds = new Set(polled.map((s) => s.id));
  const keep = known.filter(
    (s) => s.source !== 'poll' && !polledStatuses.has(s.status) && (s.id === undefined || !polledIds.has(s.id)),
  );
  return sortStatuses([...polled, ...keep]);
}

/** Adds a hint unless that status (or that status id) is already known; returns whether anything changed. */
export function addHint(known: StatusEntry[], hint: StatusHint, heardAt: string): boolean {
  if (known.some((s) => (hint.id !== undefined && s.id === hint.id) || s.status === hint.status)) return false;
  known.push({
    status: hint.status,
    at: hint.at ?? heardAt,
    source: hint.source,
    ...(hint.id !== undefined ? { id: hint.id } : {}),
    ...(hint.description ? { description: hint.description } : {}),
  });
  known.splice(0, known.length, ...sortStatuses(known));
  return true;
}

function sortStatuses(list: StatusEntry[]): StatusEntry[] {
  return [...list].sort((a, b) => {
    if (a.id !== undefined && b.id !== undefined) return a.id - b.id;
    return Date.parse(a.at) - Date.parse(b.at) || (a.id ?? Infinity) - (b.id ?? Infinity);
  });
}

export type Verdict =
  | { kind: 'pending'; waitUntil: number }
  | { kind: 'delivered'; finalStatus: 'LEVERT' | 'LEST'; readReceiptTimedOut?: boolean }
  | { kind: 'failed'; status: 'FEIL' | 'LEVETID_UTLOPT'; afterDelivery: boolean };

export interface SettleRules {
  settleOn: 'LEVERT' | 'LEST';
  listenAfterDeliveryMs: number;
  awaitReadForMs: number;
  /** Lifetime end (expectedResponseDateTime) plus the grace the IP's expiry job needs. */
  giveUpAt: number;
  /** Workflow time when Ferje first saw LEVERT (the listening windows count from there, not from the IP's clock). */
  deliveredSeenAt?: number;
}

/**
 * What the status history means, following the digest: LEVERT is success (LEST when asked for), but LEST and FEIL can
 * still follow, so the workflow may keep listening; FEIL fails; LEVETID_UTLOPT before delivery fails (the messageId is
 * burnt); after LEVERT it is recorded only (the IP skips finished conversations, so it should not happen).
 */
export function assess(statuses: StatusEntry[], rules: SettleRules, now: number): Verdict {
  const delivered = statuses.find((s) => s.status === 'LEVERT');
  const read = statuses.find((s) => s.status === 'LEST');
  const failed = statuses.find((s) => s.status === 'FEIL');
  const expired = statuses.find((s) => s.status === 'LEVETID_UTLOPT');
  if (failed) return { kind: 'failed', status: 'FEIL', afterDelivery: delivered !== undefined };
  if (read) return { kind: 'delivered', finalStatus: 'LEST' };
  if (expired && !delivered) return { kind: 'failed', status: 'LEVETID_UTLOPT', afterDelivery: false };
  if (delivered) {
    const heardAt = rules.deliveredSeenAt ?? now;
    if (rules.settleOn === 'LEST') {
      const until = heardAt + rules.awaitReadForMs;
      return now >= until
        ? { kind: 'delivered', finalStatus: 'LEVERT', readReceiptTimedOut: true }
        : { kind: 'pending', waitUntil: until };
    }
    const until = heardAt + rules.listenAfterDeliveryMs;
    return now >= until ? { kind: 'delivered', finalStatus: 'LEVERT' } : { kind: 'pending', waitUntil: until };
  }
  return { kind: 'pending', waitUntil: rules.giveUpAt };
}
