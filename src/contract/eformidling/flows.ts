import { defineFlow } from '../flow';
import { taskQueues } from '../task-queues';
import type { InboxInput, IncomingDelivery, StatusQueueReaderInput, StoredIncoming } from './types';
import { eformidlingWorkflowTypes, inboxWorkflowId, messageWorkflowId, statusQueueReaderWorkflowId } from './names';
import type { OutgoingMessageInput, OutgoingMessageResult } from './types';
import { businessKey } from '../workflow-ids';

export const eformidlingSendFlow = defineFlow<OutgoingMessageInput, OutgoingMessageResult>({
  name: 'eformidling-send',
  workflowType: eformidlingWorkflowTypes.outgoingMessage,
  taskQueue: taskQueues.eformidling,
  integration: 'eformidling',
  inputTypeName: 'OutgoingMessageInput',
  outputTypeName: 'OutgoingMessageResult',
  description: 'Send one message through the integrasjonspunkt and track it until LEVERT/LEST or a failure',
  workflowId: (input) => messageWorkflowId(input.messageId),
  externalReference: (input) => input.messageId,
  // Process and type only: the receiver may be a person.
  summary: (input) =>
    `eFormidling ${input.documentType} message (${input.process.replace(/^urn:no:difi:profile:/, '')})`,
});

export const eformidlingInboxFlow = defineFlow<InboxInput, void>({
  name: 'eformidling-inbox',
  workflowType: eformidlingWorkflowTypes.inbox,
  taskQueue: taskQueues.eformidling,
  integration: 'eformidling',
  inputTypeName: 'InboxInput',
  outputTypeName: 'void',
  description: 'Long-lived: peek, pop into the blob store, hand to the consumer, delete — for one IP and filter',
  workflowId: (input) => inboxWorkflowId(input.inboxName),
  externalReference: (input) => input.inboxName,
  summary: (input) => `eFormidling inbox ${input.inboxName}`,
  // Configured long-lived workflows: one that failed or was terminated is started again at the next worker start.
  idReusePolicy: 'ALLOW_DUPLICATE',
});

export const eformidlingStatusQueueFlow = defineFlow<StatusQueueReaderInput, void>({
  name: 'eformidling-status-queue',
  workflowType: eformidlingWorkflowTypes.statusQueueReader,
  taskQueue: taskQueues.eformidling,
  integration: 'eformidling',
  inputTypeName: 'StatusQueueReaderInput',
  outputTypeName: 'void',
  description: "Long-lived: read the IP's status queue and route each status to its message workflow",
  workflowId: (input) => statusQueueReaderWorkflowId(input.ipName ?? 'default'),
  externalReference: (input) => input.ipName ?? 'default',
  summary: () => 'eFormidling status queue reader',
  // Configured long-lived workflows: one that failed or was terminated is started again at the next worker start.
  idReusePolicy: 'ALLOW_DUPLICATE',
});

export const eformidlingStoreIncomingFlow = defineFlow<IncomingDelivery, StoredIncoming>({
  name: 'eformidling-store-incoming',
  workflowType: eformidlingWorkflowTypes.storeIncoming,
  taskQueue: taskQueues.eformidling,
  integration: 'eformidling',
  inputTypeName: 'IncomingDelivery',
  outputTypeName: 'StoredIncoming',
  description: 'Default consumer of incoming messages: keep SBD and ASiC in the blob store, record them in the journal',
  workflowId: (input) => businessKey('eformidling-incoming', input.messageId),
  externalReference: (input) => input.messageId,
  summary: (input) => `eFormidling incoming ${input.documentType ?? 'message'}`,
});

export const eformidlingFlows = {
  [eformidlingSendFlow.name]: eformidlingSendFlow,
  [eformidlingInboxFlow.name]: eformidlingInboxFlow,
  [eformidlingStatusQueueFlow.name]: eformidlingStatusQueueFlow,
  [eformidlingStoreIncomingFlow.name]: eformidlingStoreIncomingFlow,
};
