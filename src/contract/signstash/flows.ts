import { defineFlow } from '../flow';
import { taskQueues } from '../task-queues';
import { businessKey } from '../workflow-ids';
import { signstashWorkflowTypes } from './names';
import type { SignatureOperationInput, SignatureOperationResult } from './types';
import { validateSignatureOperationInput } from './validation';

export function signatureOperationWorkflowId(
  input: Pick<SignatureOperationInput, 'clientServiceId' | 'externalReference'>,
): string {
  return businessKey('signstash', input.clientServiceId, input.externalReference);
}

export const signatureOperationFlow = defineFlow<SignatureOperationInput, SignatureOperationResult>({
  name: 'signstash-sign',
  workflowType: signstashWorkflowTypes.signatureOperation,
  taskQueue: taskQueues.signstash,
  integration: 'signstash',
  inputTypeName: 'SignatureOperationInput',
  outputTypeName: 'SignatureOperationResult',
  description:
    "Sign documents through the Sign'Stash Proxy (async mode, pinned to the instance that took the operation)",
  validate: validateSignatureOperationInput,
  // A failed or cancelled operation may be started again under its key: Sign'Stash itself refuses a reference it
  // already has (409 0.0.7 → SignstashReferenceInUse), so a second run never signs twice what the first delivered.
  idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
  workflowId: signatureOperationWorkflowId,
  externalReference: (input) => input.externalReference,
  // Counts and opaque references only: descriptions and document names may be personal data.
  summary: (input) =>
    `Sign'Stash: sign ${Array.isArray(input.documents) ? input.documents.length : 0} document(s), ref ${input.externalReference}`,
});

export const signstashFlows = { [signatureOperationFlow.name]: signatureOperationFlow };
