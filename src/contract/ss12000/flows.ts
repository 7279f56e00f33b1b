import { defineFlow } from '../flow';
import { taskQueues } from '../task-queues';
import { businessKey } from '../workflow-ids';
import { ss12000WorkflowIdPrefix, ss12000WorkflowTypes } from './names';
import type { Ss12000SubscriptionInput, Ss12000SubscriptionResult } from './types';
import { validateSs12000SubscriptionInput } from './validation';

export function ss12000SubscriptionWorkflowId(huvudman: string): string {
  return businessKey(ss12000WorkflowIdPrefix, huvudman);
}

export const ss12000SubscriptionFlow = defineFlow<Ss12000SubscriptionInput, Ss12000SubscriptionResult>({
  validate: validateSs12000SubscriptionInput,
  name: 'ss12000-subscription',
  workflowType: ss12000WorkflowTypes.subscription,
  taskQueue: taskQueues.ss12000,
  integration: 'ss12000',
  inputTypeName: 'Ss12000SubscriptionInput',
  outputTypeName: 'Ss12000SubscriptionResult',
  description:
    'Subscribe to a huvudman SS12000 API, run the full sync, then keep the store current from webhooks (long-lived)',
  workflowId: (input) => ss12000SubscriptionWorkflowId(input.huvudman),
  externalReference: (input) => input.huvudman,
  summary: (input) => `SS12000 sync of huvudman ${input.huvudman}`,
  // A failed or cancelled subscription leaves nothing behind at the huvudman (registration failures create nothing,
  // a refused callback deletes what was created, cancelling deletes the subscription), so registering the same
  // huvudman again is safe and must not be blocked by the used key. A completed run (UNSUBSCRIBED) ended on purpose.
  idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
});

export const ss12000Flows = { 'ss12000-subscription': ss12000SubscriptionFlow };
