import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { eformidlingInboxFlow, eformidlingStatusQueueFlow } from '../../contract/eformidling';
import { searchAttributes } from '../../contract/search-attributes';
import type { FlowDefinition } from '../../contract/flow';
import type { Logger } from '../../logging/logger';
import type { EformidlingClient } from '../../integrations/eformidling/client';
import type { EformidlingConfig } from './config';

/**
 * Creates Ferje's webhook subscription if it is missing and keeps it pointing at the current endpoint (a rotated
 * token updates it in place). Idempotent; one long-lived subscription, never one per message.
 */
export async function ensureSubscription(
  ip: EformidlingClient,
  config: EformidlingConfig,
): Promise<'created' | 'updated' | 'kept' | 'disabled'> {
  if (!config.webhookPushEndpoint) return 'disabled';
  const existing = (await ip.listSubscriptions()).filter((s) => s.name === config.subscriptionName);
  const exact = existing.find((s) => s.pushEndpoint === config.webhookPushEndpoint);
  if (exact) return 'kept';
  if (existing[0]?.id !== undefined) {
    await ip.updateSubscription(existing[0].id, {
      pushEndpoint: config.webhookPushEndpoint,
      resource: 'messages',
      event: 'status',
    });
    return 'updated';
  }
  await ip.createSubscription({
    name: config.subscriptionName,
    pushEndpoint: config.webhookPushEndpoint,
    resource: 'messages',
    event: 'status',
  });
  return 'created';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function startOnce(client: Client, flow: FlowDefinition<any, any>, input: unknown): Promise<void> {
  try {
    await client.workflow.start(flow.workflowType, {
      workflowId: flow.workflowId(input),
      taskQueue: flow.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: searchAttributes.integration, value: flow.integration },
        { key: searchAttributes.externalReference, value: flow.externalReference(input) },
      ],
      staticSummary: flow.summary(input),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Starts (or finds running) the inboxes and the status-queue reader that the configuration asks for. */
export async function ensureLongLivedWorkflows(
  client: Client,
  config: EformidlingConfig,
  logger: Logger,
): Promise<void> {
  for (const inbox of config.inboxes) {
    await startOnce(client, eformidlingInboxFlow, {
      inboxName: inbox.name,
      filter: inbox.filter,
      consumer: inbox.consumer,
      pollInterval: inbox.pollInterval,
    });
    logger.info('inbox running', { inbox: inbox.name });
  }
  if (config.statusQueueReader) {
    await startOnce(client, eformidlingStatusQueueFlow, { ipName: config.ipName });
    logger.info('status queue reader running', { ip: config.ipName });
  }
}
