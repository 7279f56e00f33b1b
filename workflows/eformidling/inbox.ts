import { condition, ParentClosePolicy, setHandler, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  consumerWorkflowId,
  inboxStateQuery,
  incomingHintSignal,
  validateInboxInput,
  validateIncomingHint,
  validateWebhookStatus,
  webhookStatusSignal,
  type InboxInput,
  type InboxStatus,
  type IncomingDelivery,
} from '../../src/contract/eformidling';
import { searchAttributes } from '../../src/contract/search-attributes';
import {
  continueAsNewAfterHandlers,
  createOperatorView,
  guardedWorkflow,
  shouldContinueAsNew,
  validateMessage,
} from '../common';
import { ip, longIpWork, temporal } from './activities';
import { inboxDetails } from './details';
import { validationContext } from './run-context';
import {
  enterPhase,
  inboxContinuation,
  inboxPollMs,
  isRedelivery,
  noteAcknowledged,
  noteDuplicate,
  noteHandedOver,
  noteIgnoredSignal,
  startInbox,
} from './inbox-state';

const download = longIpWork('peek, pop into the blob store');

/**
 * One inbox per integrasjonspunkt and filter, forever: peek (lock) → pop into the blob store → hand the message to
 * the consumer → DELETE. The consumer is a child workflow `<prefix>/<messageId>` (or a signal-with-start of the
 * caller's workflow), so a messageId can be handed over only once; a redelivery after DELETE is recognised from the
 * remembered messageIds and deleted without a second hand-over. Continues as new when the history grows.
 */
export const eformidlingInbox = guardedWorkflow<InboxInput, void>(
  'eFormidling inbox',
  (input) => validateInboxInput(input, validationContext()),
  async (input) => {
    const pollMs = inboxPollMs(input);
    const run = startInbox(input);
    setHandler(
      incomingHintSignal,
      (hint) => {
        if (validateMessage('incoming hint', validateIncomingHint, hint)) noteIgnoredSignal(run);
        else run.hinted = true;
      },
      { description: 'Something arrived (webhook or status queue): peek now.' },
    );
    setHandler(inboxStateQuery, () => ({ ...run.state, totals: { ...run.state.totals } }), {
      description: 'Phase, the message in hand and counters.',
    });
    const view = createOperatorView<InboxStatus>(() => inboxDetails(input, run.state));
    setHandler(
      webhookStatusSignal,
      (status) => {
        if (validateMessage('webhook status', validateWebhookStatus, status)) return noteIgnoredSignal(run);
        run.state.webhooks = status;
        view.show();
      },
      { description: "The webhook subscription's state, told at worker start (the inbox polls either way)." },
    );
    view.show('RUNNING');

    for (;;) {
      if (shouldContinueAsNew())
        await continueAsNewAfterHandlers<typeof eformidlingInbox>(inboxContinuation(input, run));
      enterPhase(run, 'peeking');
      view.show();
      run.hinted = false;
      const received = await download.eformidlingReceiveNext({ filter: input.filter, consumer: input.consumer });
      if (received.kind === 'empty') {
        enterPhase(run, 'waiting');
        view.show();
        await condition(() => run.hinted, pollMs);
        continue;
      }
      const delivery: IncomingDelivery = { ...received.delivery, inboxName: input.inboxName };
      if (isRedelivery(run, delivery.messageId)) {
        enterPhase(run, 'acknowledging', delivery.messageId);
        noteDuplicate(run);
      } else {
        enterPhase(run, 'handing-over', delivery.messageId);
        view.show();
        noteHandedOver(run, delivery.messageId, await handOver(input, delivery));
        enterPhase(run, 'acknowledging');
      }
      view.show();
      const ack = await ip.eformidlingAcknowledgeIncoming({ messageId: delivery.messageId });
      noteAcknowledged(run, ack.relocked);
    }
  },
);

/** False when the consumer already had this messageId (its workflow ID exists): nothing is handed twice. */
async function handOver(input: InboxInput, delivery: IncomingDelivery): Promise<boolean> {
  const consumer = input.consumer;
  if (consumer.kind === 'signalWithStart') {
    await temporal.eformidlingSignalConsumer({ consumer, delivery });
    return true;
  }
  try {
    await startChild(consumer.workflowType, {
      workflowId: consumerWorkflowId(consumer, delivery),
      taskQueue: consumer.taskQueue,
      args: [delivery],
      // The consumer outlives this run (continue-as-new) and must never be started twice for one messageId.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: searchAttributes.integration, value: 'eformidling' },
        { key: searchAttributes.externalReference, value: delivery.messageId },
        // The consuming system reads the message's documents through the documents API as this flow's caller.
        ...(consumer.callerId ? [{ key: searchAttributes.caller, value: consumer.callerId }] : []),
      ],
      staticSummary: `eFormidling incoming ${delivery.documentType ?? 'message'} from inbox ${input.inboxName}`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
