import type { Client } from '@temporalio/client';
import { startFlow } from '../../client/flows';
import { eformidlingInboxFlow, eformidlingStatusQueueFlow } from '../../contract/eformidling';
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

/** Starts (or finds running) the inboxes and the status-queue reader that the configuration asks for. */
export async function ensureLongLivedWorkflows(
  client: Client,
  config: EformidlingConfig,
  logger: Logger,
): Promise<void> {
  for (const inbox of config.inboxes) {
    await startFlow(client, eformidlingInboxFlow, {
      inboxName: inbox.name,
      filter: inbox.filter,
      consumer: inbox.consumer,
      pollInterval: inbox.pollInterval,
    });
    logger.info('inbox running', { inbox: inbox.name });
  }
  if (config.statusQueueReader) {
    await startFlow(client, eformidlingStatusQueueFlow, { ipName: config.ipName });
    logger.info('status queue reader running', { ip: config.ipName });
  }
}
