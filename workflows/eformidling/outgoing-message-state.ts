import type { CapabilityAnswer, CapabilitySummary, SendRequest } from '../../activities/eformidling';
import {
  eformidlingFailureTypes,
  MULTIPART_MAX_FILE_BYTES,
  type DocumentType,
  type MessageStatus,
  type OutgoingContinuation,
  type OutgoingFailureDetails,
  type OutgoingMessageResult,
  type OutgoingMessageState,
  type OutgoingMessageStatus,
  type OutgoingMessageWorkflowInput,
  type SendMode,
  type ServiceIdentifier,
  type StatusEntry,
  type StatusHint,
} from '../../src/contract/eformidling';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { durationToMs } from '../../src/contract/input-rules';

/**
 * The outgoing message's state and every decision about it, as plain functions (no I/O, no workflow API): the
 * workflow function only orchestrates activities, timers and signals around them. Unit-tested without a server
 * (test/unit/eformidling/outgoing-message-state.test.ts).
 */
export interface OutgoingRun {
  /** What the `eformidlingMessageState` query returns. */
  snapshot: OutgoingMessageState;
  /** Workflow time (epoch ms) when a LEVERT was first seen (the listening windows count from there). */
  deliveredSeenAt?: number;
  /** The current wait between polls (backs off while nothing changes). */
  pollMs: number;
  /** A hint arrived since the last wait began. */
  hinted: boolean;
}

export const DEFAULT_LIFETIME_MS = 24 * 3600_000;
/** The IP's expiry job runs every 30 s: give it this long after the deadline to report LEVETID_UTLOPT itself. */
export const EXPIRY_GRACE_MS = 2 * 60_000;

/** The caller's tracking options in milliseconds (the input is validated: these parse). */
export interface TrackingRules {
  initialPollMs: number;
  maxPollMs: number;
  settleOn: 'LEVERT' | 'LEST';
  listenAfterDeliveryMs: number;
  awaitReadForMs: number;
}

export function trackingRules(input: OutgoingMessageWorkflowInput): TrackingRules {
  const initialPollMs = durationToMs(input.tracking?.pollInitialInterval ?? '10 seconds') ?? 10_000;
  return {
    initialPollMs,
    maxPollMs: Math.max(initialPollMs, durationToMs(input.tracking?.pollMaxInterval ?? '15 minutes') ?? 900_000),
    settleOn: input.settleOn ?? 'LEVERT',
    listenAfterDeliveryMs: durationToMs(input.listenAfterDelivery ?? 0) ?? 0,
    awaitReadForMs: durationToMs(input.awaitReadFor ?? '30 days') ?? 30 * 86_400_000,
  };
}

/** A new run's state, or the state a continued run carries on with. */
export function startRun(input: OutgoingMessageWorkflowInput, rules: TrackingRules, nowMs: number): OutgoingRun {
  const cont = input.continuation;
  const deadline =
    cont?.deadline ?? input.expectedResponseDateTime ?? new Date(nowMs + DEFAULT_LIFETIME_MS).toISOString();
  return {
    snapshot: {
      messageId: input.messageId,
      phase: cont ? 'tracking' : 'validating',
      serviceIdentifier: cont?.serviceIdentifier,
      sendMode: cont?.sendMode,
      filesUploaded: cont ? input.files.length : 0,
      filesTotal: input.files.length,
      resumedExisting: cont?.resumedExisting ?? false,
      statuses: cont?.statuses ?? [],
      deadline,
    },
    deliveredSeenAt: cont?.deliveredSeenAt,
    pollMs: cont?.pollIntervalMs ?? rules.initialPollMs,
    hinted: false,
  };
}

/** The FerjeStatus to show: the phase's own label, else the last status the IP reported. */
export function shownStatus(run: OutgoingRun, label?: OutgoingMessageStatus): OutgoingMessageStatus | undefined {
  run.snapshot.lastStatus = run.snapshot.statuses.at(-1)?.status;
  return label ?? run.snapshot.lastStatus;
}

// ---- sending ----

/**
 * Picks the capability to send with: same process, the document type listed, and the required transport if the
 * caller insisted on one. The registry lists the preferred route first (DPO before DPF before DPV), so the first
 * match wins. `UNKNOWN` is never usable.
 */
export function selectCapability(
  capabilities: CapabilitySummary[],
  wanted: { process: string; documentType: DocumentType; serviceIdentifier?: ServiceIdentifier },
): CapabilitySummary | undefined {
  return capabilities.find(
    (c) =>
      c.process === wanted.process &&
      c.serviceIdentifier !== 'UNKNOWN' &&
      c.documentTypes.includes(wanted.documentType) &&
      (!wanted.serviceIdentifier || c.serviceIdentifier === wanted.serviceIdentifier),
  );
}

/** Why no capability fits, in words without personal data, and the reason code for the failure details. */
export function noCapability(
  answer: CapabilityAnswer,
  input: OutgoingMessageWorkflowInput,
): { message: string; reason: string } {
  return answer.receiverKnown
    ? {
        message: `The receiver has no capability for ${input.documentType} in this process${input.serviceIdentifier ? ` over ${input.serviceIdentifier}` : ''}`,
        reason: 'no-matching-capability',
      }
    : { message: 'The receiver is not known to the registers', reason: 'unknown-receiver' };
}

export function sendRequestOf(input: OutgoingMessageWorkflowInput, deadline: string): SendRequest {
  return {
    messageId: input.messageId,
    conversationId: input.conversationId ?? input.messageId,
    sender: input.sender,
    receiver: input.receiver,
    process: input.process,
    documentType: input.documentType,
    businessMessage: input.businessMessage,
    expectedResponseDateTime: deadline,
    senderReference: input.senderReference,
    receiverReference: input.receiverReference,
    files: input.files,
  };
}

/** One streamed multipart request when every file fits the one-step endpoint, else create + PUT files + send. */
export function sendModeFor(files: { blob: { size: number } }[]): SendMode {
  return files.every((f) => f.blob.size <= MULTIPART_MAX_FILE_BYTES) ? 'one-step' : 'multi-step';
}

/** The FerjeStatus of a send that the IP or Ferje's checks refused, by the failure's type. */
export function sendFailureStatus(type: string | undefined): OutgoingMessageStatus {
  if (type === eformidlingFailureTypes.messageTooLarge) return 'TOO_LARGE';
  if (type === commonFailureTypes.invalidInput) return 'INVALID_INPUT';
  return 'REJECTED';
}

// ---- tracking ----

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

/** A hint heard by the signal handler: it only wakes the workflow (a poll confirms anything it claims). */
export function noteHint(run: OutgoingRun, hint: StatusHint, heardAt: string): void {
  if (addHint(run.snapshot.statuses, hint, heardAt)) run.hinted = true;
}

/** A poll's answer; returns whether the IP's record changed. */
export function notePoll(run: OutgoingRun, polled: StatusEntry[]): boolean {
  const before = JSON.stringify(run.snapshot.statuses);
  run.snapshot.statuses = mergePolled(run.snapshot.statuses, polled);
  return JSON.stringify(run.snapshot.statuses) !== before;
}

/** Wait longer while nothing changes, start over when something did. */
export function nextPollMs(run: OutgoingRun, rules: TrackingRules, changed: boolean): number {
  return changed ? rules.initialPollMs : Math.min(rules.maxPollMs, run.pollMs * 2);
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

/** The lifetime end plus the grace the IP's expiry job needs: past it, an undelivered message has expired. */
export function giveUpAt(run: OutgoingRun): number {
  return Date.parse(run.snapshot.deadline) + EXPIRY_GRACE_MS;
}

function settleRules(run: OutgoingRun, rules: TrackingRules): SettleRules {
  return { ...rules, giveUpAt: giveUpAt(run), deliveredSeenAt: run.deliveredSeenAt };
}

/** The verdict over everything heard (hints included): decides when the workflow stops waiting. */
export function judge(run: OutgoingRun, rules: TrackingRules, now: number): Verdict {
  if (run.deliveredSeenAt === undefined && run.snapshot.statuses.some((s) => s.status === 'LEVERT'))
    run.deliveredSeenAt = now;
  return assess(run.snapshot.statuses, settleRules(run, rules), now);
}

/** Statuses the IP's own record confirmed (a poll, or the send's own answer); hints are not among them. */
const confirmed = (s: StatusEntry): boolean => s.source === 'poll' || s.source === 'send';
const SETTLING: MessageStatus[] = ['LEVERT', 'LEST', 'FEIL', 'LEVETID_UTLOPT'];

/** Whether anything heard still awaits the IP's confirmation (a hint: webhook or status queue). */
export function needsConfirmation(run: OutgoingRun): boolean {
  return run.snapshot.statuses.some((s) => s.source !== 'poll');
}

/**
 * After the confirming poll: the verdict over the IP's own record only. A webhook is a hint and never settles a
 * message by itself: a settling status the record does not show is refuted (dropped and counted), and the workflow
 * goes on tracking. Returns `pending` then.
 */
export function confirmVerdict(run: OutgoingRun, rules: TrackingRules, now: number): Verdict {
  const record = run.snapshot.statuses.filter(confirmed);
  if (!record.some((s) => s.status === 'LEVERT')) run.deliveredSeenAt = undefined;
  const verdict = assess(record, settleRules(run, rules), now);
  if (verdict.kind !== 'pending') return verdict;
  const refuted = run.snapshot.statuses.filter((s) => !confirmed(s) && SETTLING.includes(s.status));
  if (refuted.length > 0) {
    run.snapshot.statuses = run.snapshot.statuses.filter((s) => !refuted.includes(s));
    run.snapshot.refutedHints = (run.snapshot.refutedHints ?? 0) + refuted.length;
  }
  return verdict;
}

export function continuationOf(run: OutgoingRun): OutgoingContinuation {
  return {
    serviceIdentifier: run.snapshot.serviceIdentifier as ServiceIdentifier,
    sendMode: run.snapshot.sendMode as SendMode,
    resumedExisting: run.snapshot.resumedExisting,
    statuses: run.snapshot.statuses,
    deadline: run.snapshot.deadline,
    deliveredSeenAt: run.deliveredSeenAt,
    pollIntervalMs: run.pollMs,
  };
}

export function resultOf(
  input: OutgoingMessageWorkflowInput,
  run: OutgoingRun,
  delivered: Extract<Verdict, { kind: 'delivered' }>,
): OutgoingMessageResult {
  return {
    messageId: input.messageId,
    conversationId: input.conversationId ?? input.messageId,
    serviceIdentifier: run.snapshot.serviceIdentifier as ServiceIdentifier,
    sendMode: run.snapshot.sendMode as SendMode,
    finalStatus: delivered.finalStatus,
    ...(delivered.readReceiptTimedOut ? { readReceiptTimedOut: true } : {}),
    resumedExisting: run.snapshot.resumedExisting,
    statuses: run.snapshot.statuses,
  };
}

/** A failed outcome: the failure's type, words, details and the FerjeStatus shown. */
export interface MessageFailure {
  type: string;
  message: string;
  status: OutgoingMessageStatus;
  details: OutgoingFailureDetails;
}

export function failureOf(
  run: OutgoingRun,
  type: string,
  message: string,
  status: OutgoingMessageStatus,
  extra: Partial<OutgoingFailureDetails>,
): MessageFailure {
  const s = run.snapshot;
  return {
    type,
    message,
    status,
    details: {
      messageId: s.messageId,
      serviceIdentifier: s.serviceIdentifier,
      lastStatus: s.statuses.at(-1)?.status,
      statuses: s.statuses,
      ...extra,
    },
  };
}

/** A failed verdict (FEIL, LEVETID_UTLOPT) as the workflow's failure. */
export function verdictFailure(run: OutgoingRun, verdict: Extract<Verdict, { kind: 'failed' }>): MessageFailure {
  const id = run.snapshot.messageId;
  if (verdict.status === 'FEIL')
    return failureOf(
      run,
      eformidlingFailureTypes.deliveryFailed,
      `The IP reported FEIL for message ${id}${verdict.afterDelivery ? ' after LEVERT' : ''}`,
      'FEIL',
      { afterDelivery: verdict.afterDelivery },
    );
  return failureOf(
    run,
    eformidlingFailureTypes.lifetimeExpired,
    `Message ${id} expired (LEVETID_UTLOPT); resend it with a new messageId`,
    'LEVETID_UTLOPT',
    { reason: 'levetid-utlopt' },
  );
}

/** No settled status by the lifetime's end (plus grace), even after a last poll. */
export function lifetimeEndedFailure(run: OutgoingRun): MessageFailure {
  return failureOf(
    run,
    eformidlingFailureTypes.lifetimeExpired,
    `Message ${run.snapshot.messageId} was not delivered within its lifetime (${run.snapshot.deadline})`,
    'LEVETID_UTLOPT',
    { reason: 'no-settled-status-at-deadline' },
  );
}
