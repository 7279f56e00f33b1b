import type { Client } from '@temporalio/client';
import type { BlobStore } from '../../src/blobs/blob-store';
import { startFlow } from '../../src/client/flows';
import { postenFlows } from '../../src/contract/posten-signering';
import { PostenSignatureClient } from '../../src/integrations/posten-signering/client';
import { loadPostenConfig, type PostenSigneringConfig } from '../../src/modules/posten-signering/config';
import type { Logger } from '../../src/logging/logger';
import type { IntegrationContext } from '../../src/platform/integration';

/** What the activities share in one worker process: configuration, one HTTP client (one pacer per org), Temporal. */
export interface PostenRuntime {
  config: PostenSigneringConfig;
  client(): PostenSignatureClient;
  blobStore: BlobStore;
  logger: Logger;
  temporal: Client;
  ensurePoller(sender: string, pollingQueue?: string): Promise<void>;
}

export function createPostenRuntime(ctx: IntegrationContext): PostenRuntime {
  const config = loadPostenConfig(ctx.env);
  const logger = ctx.logger.child('posten-signering');
  let client: PostenSignatureClient | undefined;
  return {
    config,
    // Created on first use: a worker without a keystore can still start (and report the problem per activity).
    client: () => (client ??= new PostenSignatureClient(config, logger)),
    blobStore: ctx.blobStore,
    logger,
    temporal: ctx.client,
    async ensurePoller(sender, pollingQueue) {
      await ensureStatusPoller(ctx.client, config.taskQueue, sender, pollingQueue);
    },
  };
}

/**
 * Starts the poller of a sender's queue unless it runs already (idempotent; never a second poller), through the
 * poller's flow definition like every other start.
 */
export async function ensureStatusPoller(
  client: Client,
  taskQueue: string,
  sender: string,
  pollingQueue?: string,
): Promise<void> {
  await startFlow(client, postenFlows['posten-status-poller'], pollingQueue ? { sender, pollingQueue } : { sender }, {
    taskQueue,
  });
}
