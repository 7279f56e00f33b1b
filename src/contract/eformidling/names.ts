import { defineQuery, defineSignal } from '@temporalio/workflow';
import { businessKey } from '../workflow-ids';
import type { InboxState, IncomingConsumer, IncomingDelivery, IncomingHint } from './types';
import type { OutgoingMessageState, StatusHint } from './types';
import type { WebhookSubscriptionStatus } from './types';

/** Workflow types (= exported function names): part of the persisted contract. */
export const eformidlingWorkflowTypes = {
  outgoingMessage: 'eformidlingOutgoingMessage',
  inbox: 'eformidlingInbox',
  statusQueueReader: 'eformidlingStatusQueueReader',
  storeIncoming: 'eformidlingStoreIncoming',
} as const;

/** A status for one outgoing message, from the webhook route or the status-queue reader. */
export const statusHintSignal = defineSignal<[StatusHint]>('eformidlingStatusHint');
/** "Something arrived": peek now instead of waiting for the next poll. */
export const incomingHintSignal = defineSignal<[IncomingHint]>('eformidlingIncomingHint');

/** The webhook subscription's state, from the worker's start-up (shown in the inbox's details). */
export const webhookStatusSignal = defineSignal<[WebhookSubscriptionStatus]>('eformidlingWebhookStatus');

export const messageStateQuery = defineQuery<OutgoingMessageState>('eformidlingMessageState');
export const inboxStateQuery = defineQuery<InboxState>('eformidlingInboxState');

export const messageWorkflowId = (messageId: string): string => businessKey('eformidling-message', messageId);
export const inboxWorkflowId = (inboxName: string): string => businessKey('eformidling-inbox', inboxName);
export const statusQueueReaderWorkflowId = (ipName: string): string => businessKey('eformidling-status-queue', ipName);
export const defaultIncomingPrefix = 'eformidling-incoming';

/**
 * The workflow ID of the consumer flow a delivery is handed to: `<prefix>/<messageId>`, or for a signal-with-start
 * consumer keyed by conversation `<prefix>/<conversationId>`. The inbox records the stored message's blobs as held by
 * this flow (documents API access, retention), before the hand-over starts it.
 */
export function consumerWorkflowId(
  consumer: IncomingConsumer,
  delivery: Pick<IncomingDelivery, 'messageId' | 'conversationId'>,
): string {
  if (consumer.kind === 'child')
    return businessKey(consumer.workflowIdPrefix ?? defaultIncomingPrefix, delivery.messageId);
  const key =
    consumer.keyBy === 'conversationId' && delivery.conversationId ? delivery.conversationId : delivery.messageId;
  return businessKey(consumer.workflowIdPrefix, key);
}
