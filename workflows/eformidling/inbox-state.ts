import { INBOX_REMEMBERED, type InboxInput, type InboxState } from '../../src/contract/eformidling';
import { durationToMs } from '../../src/contract/input-rules';

/**
 * The inbox's state and decisions as plain functions (no I/O, no workflow API); the workflow orchestrates the peek,
 * the hand-over and the acknowledgement around them. Unit-tested in test/unit/eformidling/inbox-state.test.ts.
 */
export interface InboxRun {
  /** What the `eformidlingInboxState` query returns. */
  state: InboxState;
  /** messageIds handed over recently (bounded), to recognise a redelivery after DELETE. */
  handed: string[];
  /** A hint arrived: peek now. */
  hinted: boolean;
}

export function startInbox(input: InboxInput): InboxRun {
  const handed = [...(input.handedRecently ?? [])];
  return {
    state: {
      inboxName: input.inboxName,
      phase: 'peeking',
      totals: input.totals ? { ...input.totals } : { handed: 0, duplicatesDropped: 0, lockRenewals: 0 },
      recentlyHanded: handed.length,
    },
    handed,
    hinted: false,
  };
}

/** Wait between peeks when the inbox is empty (validated; default 30 seconds). */
export function inboxPollMs(input: InboxInput): number {
  return durationToMs(input.pollInterval ?? '30 seconds') ?? 30_000;
}

export function enterPhase(run: InboxRun, phase: InboxState['phase'], current?: string): void {
  run.state.phase = phase;
  if (phase === 'peeking') run.state.current = undefined;
  else if (current !== undefined) run.state.current = current;
  run.state.recentlyHanded = run.handed.length;
}

/** A messageId handed over before (a redelivery after DELETE): only acknowledged, never handed twice. */
export function isRedelivery(run: InboxRun, messageId: string): boolean {
  return run.handed.includes(messageId);
}

export function noteDuplicate(run: InboxRun): void {
  run.state.totals.duplicatesDropped++;
}

/** After a hand-over: `accepted` is false when the consumer already had this messageId (its workflow ID exists). */
export function noteHandedOver(run: InboxRun, messageId: string, accepted: boolean): void {
  if (accepted) run.state.totals.handed++;
  else run.state.totals.duplicatesDropped++;
  run.handed.push(messageId);
  if (run.handed.length > INBOX_REMEMBERED) run.handed.splice(0, run.handed.length - INBOX_REMEMBERED);
}

export function noteAcknowledged(run: InboxRun, relocked: boolean): void {
  if (relocked) run.state.totals.lockRenewals++;
}

export function noteIgnoredSignal(run: InboxRun): void {
  run.state.ignoredSignals = (run.state.ignoredSignals ?? 0) + 1;
}

/** The next run's input: the caller's settings plus the carried state. */
export function inboxContinuation(input: InboxInput, run: InboxRun): InboxInput {
  return { ...input, handedRecently: run.handed.slice(-INBOX_REMEMBERED), totals: run.state.totals };
}
