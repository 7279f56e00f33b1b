import {
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { EformidlingActivities } from '../../activities/eformidling';
import type { InboxInput, InboxState, IncomingDelivery } from '../../src/contract/eformidling';
import { defaultIncomingPrefix, inboxStateQuery, incomingHintSignal } from '../../src/contract/eformidling';
import { durationMs } from '../../src/contract/eformidling';
import { searchAttributes } from '../../src/contract/search-attributes';
import { businessKey } from '../../src/contract/workflow-ids';

/** How many handed-over messageIds the inbox remembers (carried through continue-as-new). */
const REMEMBERED = 5000;

const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' };
const ip = proxyActivities<EformidlingActivities>({ startToCloseTimeout: '2 minutes', retry });
// Pop streams the ASiC into the blob store: heartbeats carry the byte count.
const download = proxyActivities<EformidlingActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry,
  summary: 'peek, pop into the blob store',
});

/**
 * One inbox per integrasjonspunkt and filter, forever: peek (lock) → pop into the blob store → hand the message to
 * the consumer → DELETE. The consumer is a child workflow `<prefix>/<messageId>` (or a signal-with-start of the
 * caller's workflow), so a messageId can be handed over only once; a redelivery after DELETE is recognised from the
 * remembered messageIds and deleted without a second hand-over. Continues as new when the history grows.
 */
export async function eformidlingInbox(input: InboxInput): Promise<void> {
  const pollMs = durationMs(input.pollInterval, '30 seconds') ?? 30_000;
  const handed: string[] = [...(input.handedRecently ?? [])];
  const state: InboxState = {
    inboxName: input.inboxName,
    phase: 'peeking',
    totals: input.totals ?? { handed: 0, duplicatesDropped: 0, lockRenewals: 0 },
    recentlyHanded: handed.length,
  };
  let hinted = false;
  setHandler(incomingHintSignal, () => void (hinted = true), {
    description: 'Something arrived (webhook or status queue): peek now.',
  });
  setHandler(inboxStateQuery, () => ({ ...state, totals: { ...state.totals } }), {
    description: 'Phase, the message in hand and counters.',
  });
  const show = (): void => {
    state.recentlyHanded = handed.length;
    setCurrentDetails(
      [
        `**eFormidling inbox** \`${input.inboxName}\``,
        '',
        `- Phase: **${state.phase}**${state.current ? ` (message \`${state.current}\`)` : ''}`,
        `- Filter: ${
          Object.entries(input.filter ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ') || 'none'
        }`,
        `- Consumer: ${input.consumer.kind} \`${input.consumer.workflowType}\``,
        `- Handed over: ${state.totals.handed}; redeliveries dropped: ${state.totals.duplicatesDropped}; re-locks: ${state.totals.lockRenewals}`,
      ].join('\n'),
    );
  };
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'RUNNING' }]);

  for (;;) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof eformidlingInbox>({
        ...input,
        handedRecently: handed.slice(-REMEMBERED),
        totals: state.totals,
      });
    }
    state.phase = 'peeking';
    state.current = undefined;
    show();
    hinted = false;
    const received = await download.eformidlingReceiveNext({ filter: input.filter });
    if (received.kind === 'empty') {
      state.phase = 'waiting';
      show();
      await condition(() => hinted, pollMs);
      continue;
    }
    const delivery: IncomingDelivery = { ...received.delivery, inboxName: input.inboxName };
    state.current = delivery.messageId;
    if (handed.includes(delivery.messageId)) {
      state.totals.duplicatesDropped++;
    } else {
      state.phase = 'handing-over';
      show();
      if (await handOver(input, delivery)) state.totals.handed++;
      else state.totals.duplicatesDropped++;
      handed.push(delivery.messageId);
      if (handed.length > REMEMBERED) handed.splice(0, handed.length - REMEMBERED);
    }
    state.phase = 'acknowledging';
    show();
    const ack = await ip.eformidlingAcknowledgeIncoming({ messageId: delivery.messageId });
    if (ack.relocked) state.totals.lockRenewals++;
  }
}

/** False when the consumer already had this messageId (its workflow ID exists): nothing is handed twice. */
async function handOver(input: InboxInput, delivery: IncomingDelivery): Promise<boolean> {
  const consumer = input.consumer;
  if (consumer.kind === 'signalWithStart') {
    await ip.eformidlingSignalConsumer({ consumer, delivery });
    return true;
  }
  try {
    await startChild(consumer.workflowType, {
      workflowId: businessKey(consumer.workflowIdPrefix ?? defaultIncomingPrefix, delivery.messageId),
      taskQueue: consumer.taskQueue,
      args: [delivery],
      // The consumer outlives this run (continue-as-new) and must never be started twice for one messageId.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: searchAttributes.integration, value: 'eformidling' },
        { key: searchAttributes.externalReference, value: delivery.messageId },
      ],
      staticSummary: `eFormidling incoming ${delivery.documentType ?? 'message'} from inbox ${input.inboxName}`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
