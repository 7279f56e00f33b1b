import { isCancellation, sleep } from '@temporalio/workflow';
import type { SendAttempt } from '../../activities/eformidling';
import { eformidlingFailureTypes, type OutgoingMessageWorkflowInput } from '../../src/contract/eformidling';
import { failureTypeOf } from '../common';
import { ip, ipOnce } from './activities';
import { mergePolled, type OutgoingRun } from './outgoing-message-state';
import type { Show } from './outgoing-send';
import { nextNotTakenWaitMs, sendEvidenceWindowMs, sendWasTaken } from './send-evidence';

/**
 * Sends the message to transport so that it is sent once. The IP enqueues the message again on every accepted
 * `POST /api/messages/out/{id}` (the receiver gets it twice, or the copy ends as FEIL), so a send is repeated only when
 * it certainly did not arrive (the IP answered with its own error, or no connection was made) or when, after an
 * answer that never came, the IP showed no evidence of it for the whole evidence window.
 */
export async function sendConfirmed(
  input: OutgoingMessageWorkflowInput,
  run: OutgoingRun,
  show: Show,
  options: { resend: boolean },
): Promise<void> {
  const s = run.snapshot;
  let resend = options.resend;
  let waitMs: number | undefined;
  for (;;) {
    if (resend) s.resends = (s.resends ?? 0) + 1;
    const attempt = await sendOnce(input.messageId);
    if (attempt.kind === 'taken') {
      if (attempt.alreadySent) s.resumedExisting = true;
      return;
    }
    if (attempt.kind === 'not-taken') {
      waitMs = nextNotTakenWaitMs(waitMs);
      await sleep(waitMs);
      resend = false;
      continue;
    }
    s.sendsWithUnknownOutcome = (s.sendsWithUnknownOutcome ?? 0) + 1;
    if (await awaitSendEvidence(input, run, show)) return;
    resend = true;
    s.phase = 'sending';
    show('SENDING');
  }
}

/**
 * Looks for the IP's evidence that an earlier send was taken, polling with backoff for the evidence window. True as
 * soon as it shows (a status after OPPRETTET, or the message gone from the outbox); false when the window passed and
 * the message still sits in the outbox with only OPPRETTET: the send never reached the IP's queue.
 */
export async function awaitSendEvidence(
  input: OutgoingMessageWorkflowInput,
  run: OutgoingRun,
  show: Show,
): Promise<boolean> {
  const s = run.snapshot;
  s.phase = 'confirming-send';
  show('CONFIRMING_SEND');
  const until = Date.now() + sendEvidenceWindowMs(input.tracking);
  let waitMs = run.pollMs;
  for (;;) {
    const inspection = await ip.eformidlingInspectSend({ messageId: input.messageId });
    s.statuses = mergePolled(s.statuses, inspection.statuses);
    if (sendWasTaken(inspection)) {
      show();
      return true;
    }
    const left = until - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(waitMs, left));
    waitMs = Math.min(waitMs * 2, 60_000);
  }
}

/** One send, without Temporal retries. A failed activity (timeout, lost worker) is an unknown outcome. */
async function sendOnce(messageId: string): Promise<SendAttempt> {
  try {
    return await ipOnce.eformidlingSendOnce({ messageId });
  } catch (err) {
    if (isCancellation(err) || failureTypeOf(err) === eformidlingFailureTypes.rejected) throw err;
    return { kind: 'unknown', reason: 'the send activity did not finish' };
  }
}
