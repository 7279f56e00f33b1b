import { defineFlow } from '../flow';
import { taskQueues } from '../task-queues';
import { businessKey } from '../workflow-ids';
import type {
  PostenSignatureJobInput,
  PostenSignatureJobResult,
  StatusPollerInput,
  UnownedJobInput,
  UnownedJobResult,
} from './types';
import { DEFAULT_QUEUE_SEGMENT, postenIdPrefixes, postenWorkflowTypes } from './names';
import { validateSignatureJobInput, validateStatusPollerInput } from './validation';

export function signatureJobWorkflowId(sender: string, reference: string): string {
  return businessKey(postenIdPrefixes.signatureJob, sender, reference);
}

export function statusPollerWorkflowId(sender: string, pollingQueue?: string): string {
  return businessKey(postenIdPrefixes.statusPoller, sender, pollingQueue ?? DEFAULT_QUEUE_SEGMENT);
}

export function unownedJobWorkflowId(sender: string, signatureJobId: string): string {
  return businessKey(postenIdPrefixes.unownedJob, sender, signatureJobId);
}

export const postenFlows = {
  'posten-signature-job': defineFlow<PostenSignatureJobInput, PostenSignatureJobResult>({
    validate: validateSignatureJobInput,
    name: 'posten-signature-job',
    workflowType: postenWorkflowTypes.signatureJob,
    taskQueue: taskQueues.postenSignering,
    integration: 'postenSignering',
    inputTypeName: 'PostenSignatureJobInput',
    outputTypeName: 'PostenSignatureJobResult',
    description:
      'One Posten signering portal job: create it, follow its status changes, download XAdES/PAdES, confirm each change',
    workflowId: (input) => signatureJobWorkflowId(input.sender, input.reference),
    externalReference: (input) => input.reference,
    summary: (input) =>
      `Posten signature job ${input.reference} (${input.signers?.length ?? 0} signer(s), ${input.documents?.length ?? 0} document(s))`,
  }),
  'posten-status-poller': defineFlow<StatusPollerInput, void>({
    validate: validateStatusPollerInput,
    name: 'posten-status-poller',
    workflowType: postenWorkflowTypes.statusPoller,
    taskQueue: taskQueues.postenSignering,
    integration: 'postenSignering',
    inputTypeName: 'StatusPollerInput',
    outputTypeName: 'void',
    description: 'Long-lived poller of one Posten polling queue; routes each status change to its job workflow',
    workflowId: (input) => statusPollerWorkflowId(input.sender, input.pollingQueue),
    // `default`, not the ID's `_default` segment: the value every running poller already carries (persisted).
    externalReference: (input) => `${input.sender}/${input.pollingQueue ?? 'default'}`,
    summary: (input) => `Posten status queue ${input.pollingQueue ?? 'default'} of ${input.sender}`,
    // A sender's queue must always have its poller: one that failed or was terminated is started again.
    idReusePolicy: 'ALLOW_DUPLICATE',
  }),
  'posten-unowned-job': defineFlow<UnownedJobInput, UnownedJobResult>({
    name: 'posten-unowned-job',
    workflowType: postenWorkflowTypes.unownedJob,
    taskQueue: taskQueues.postenSignering,
    integration: 'postenSignering',
    inputTypeName: 'UnownedJobInput',
    outputTypeName: 'UnownedJobResult',
    description: 'Status changes of a Posten job no Ferje job workflow owns: documents stored, held for an operator',
    workflowId: (input) => unownedJobWorkflowId(input.sender, input.signatureJobId),
    externalReference: (input) => input.signatureJobId,
    summary: (input) => `Unowned Posten job ${input.signatureJobId} (${input.policy.toLowerCase()})`,
  }),
};
