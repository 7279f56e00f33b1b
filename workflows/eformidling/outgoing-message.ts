import { condition, setHandler } from '@temporalio/workflow';
import {
  messageStateQuery,
  statusHintSignal,
  validateOutgoingWorkflowInput,
  validateStatusHint,
  type OutgoingMessageResult,
  type OutgoingMessageState,
  type OutgoingMessageStatus,
  type OutgoingMessageWorkflowInput,
  type StatusHint,
} from '../../src/contract/eformidling';
import {
  continueAsNewAfterHandlers,
  createOperatorView,
  guardedWorkflow,
  shouldContinueAsNew,
  validateMessage,
} from '../common';
import { ip } from './activities';
import { messageDetails } from './details';
import { validationContext } from './run-context';
import {
  confirmVerdict,
  continuationOf,
  giveUpAt,
  judge,
  lifetimeEndedFailure,
  needsConfirmation,
  nextPollMs,
  noteHint,
  notePoll,
  resultOf,
  shownStatus,
  startRun,
  trackingRules,
  verdictFailure,
  type OutgoingRun,
  type TrackingRules,
  type Verdict,
} from './outgoing-message-state';
import { failWith, sendMessage, type Show } from './outgoing-send';

/**
 * One outgoing eFormidling message, from capability lookup to a settled delivery status. Workflow ID
 * `eformidling-message/<messageId>`: the messageId is chosen by the caller before the start, so neither a repeated
 * start nor a retried/restarted send can create a second message. Webhook and status-queue statuses are hints: a
 * settling one is confirmed from the IP's own record before the message settles. See docs/eformidling.md.
 */
export const eformidlingOutgoingMessage = guardedWorkflow<OutgoingMessageWorkflowInput, OutgoingMessageResult>(
  'eFormidling outgoing message',
  (input) => validateOutgoingWorkflowInput(input, validationContext()),
  async (input) => {
    const rules = trackingRules(input);
    const run = startRun(input, rules, Date.now());
    const view = createOperatorView<OutgoingMessageStatus>(() => messageDetails(run.snapshot));
    const show: Show = (label) => view.show(shownStatus(run, label));

    setHandler(
      statusHintSignal,
      (hint: StatusHint) => {
        if (validateMessage('status hint', validateStatusHint, hint)) {
          run.snapshot.ignoredSignals = (run.snapshot.ignoredSignals ?? 0) + 1;
          return;
        }
        noteHint(run, hint, new Date().toISOString());
      },
      { description: 'A status for this message from the webhook route or the status-queue reader (a hint).' },
    );
    setHandler(messageStateQuery, () => JSON.parse(JSON.stringify(run.snapshot)) as OutgoingMessageState, {
      description: 'Phase, transport, upload progress and the status history.',
    });

    if (!input.continuation) await sendMessage(input, run, show);
    const verdict = await track(input, run, rules, show);
    if (verdict.kind === 'failed') throw failWith(run, show, verdictFailure(run, verdict));
    run.snapshot.phase = 'settled';
    show(verdict.finalStatus);
    return resultOf(input, run, verdict);
  },
);

/**
 * Polls (backing off while nothing changes, sooner on a hint) until the history settles. A settling status heard
 * only as a hint is confirmed by one more poll; the IP's record decides, and a refuted hint means tracking goes on.
 */
async function track(
  input: OutgoingMessageWorkflowInput,
  run: OutgoingRun,
  rules: TrackingRules,
  show: Show,
): Promise<Exclude<Verdict, { kind: 'pending' }>> {
  const poll = async (): Promise<boolean> =>
    notePoll(run, await ip.eformidlingFetchStatuses({ messageId: input.messageId }));
  run.snapshot.phase = 'tracking';
  show();
  for (;;) {
    let verdict = judge(run, rules, Date.now());
    while (verdict.kind === 'pending') {
      if (shouldContinueAsNew()) {
        await continueAsNewAfterHandlers<typeof eformidlingOutgoingMessage>({
          ...input,
          continuation: continuationOf(run),
        });
      }
      const now = Date.now();
      if (run.deliveredSeenAt === undefined && now >= giveUpAt(run)) {
        await poll();
        verdict = judge(run, rules, Date.now());
        if (verdict.kind === 'pending') throw failWith(run, show, lifetimeEndedFailure(run));
        break;
      }
      const waitMs = Math.max(0, Math.min(run.pollMs, verdict.waitUntil - now));
      run.snapshot.nextPollAt = new Date(now + waitMs).toISOString();
      if (run.deliveredSeenAt !== undefined) run.snapshot.phase = 'listening-after-delivery';
      show();
      run.hinted = false;
      const gotHint = waitMs > 0 && (await condition(() => run.hinted, waitMs));
      run.snapshot.nextPollAt = undefined;
      if (!gotHint) run.pollMs = nextPollMs(run, rules, await poll());
      verdict = judge(run, rules, Date.now());
    }
    if (!needsConfirmation(run)) return verdict;
    await poll();
    const confirmed = confirmVerdict(run, rules, Date.now());
    if (confirmed.kind !== 'pending') return confirmed;
    show();
  }
}
