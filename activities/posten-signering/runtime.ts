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

/**
 * How long a poller this process has made sure of counts as running. Every create ensures its queue's poller; done
 * with a start attempt and a describe per create, that was two Temporal calls per job (10 000 of them in bench:scale)
 * for a poller that never ends on its own. One that was terminated is started again by the first create after this
 * (or by the worker's bootstrap).
 */
export const POLLER_ENSURED_FOR_MS = 60_000;

export function createPostenRuntime(ctx: IntegrationContext): PostenRuntime {
  const config = loadPostenConfig(ctx.env);
  const logger = ctx.logger.child('posten-signering');
  let client: PostenSignatureClient | undefined;
  /** When this process last made sure of each queue's poller (by sender and queue). */
  const pollerEnsuredAt = new Map<string, number>();
  return {
    config,
    // Created on first use: a worker without a keystore can still start (and report the problem per activity).
    client: () => (client ??= new PostenSignatureClient(config, logger)),
    blobStore: ctx.blobStore,
    logger,
    temporal: ctx.client,
    async ensurePoller(sender, pollingQueue) {
      const key = `${sender}/${pollingQueue ?? ''}`;
      const at = pollerEnsuredAt.get(key);
      if (at !== undefined && Date.now() - at < POLLER_ENSURED_FOR_MS) return;
      await ensureStatusPoller(ctx.client, config.taskQueue, sender, pollingQueue);
      pollerEnsuredAt.set(key, Date.now());
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
