import { ensureStatusPoller } from '../../../activities/posten-signering/runtime';
import type { IntegrationContext } from '../../platform/integration';
import { loadPostenConfig } from './config';

/** At worker start: makes sure the configured pollers run (job workflows ensure their own queue's poller too). */
export async function bootstrap(ctx: IntegrationContext): Promise<void> {
  const config = loadPostenConfig(ctx.env);
  for (const target of config.pollers) {
    await ensureStatusPoller(ctx.client, config.taskQueue, target.sender, target.pollingQueue);
  }
}
