import { Runtime } from '@temporalio/worker';
import { createLogger } from '../logging/logger';
import { createPlatform } from '../platform/context';
import { selectIntegrations } from '../platform/registry';
import { workflowSource } from './bundle';
import { startWorkers } from './workers';

/**
 * Worker process: `node dist/src/worker/main.js` (production, prebuilt bundle) or `npm run ferje -- worker`.
 * SIGTERM/SIGINT stop polling, let running activities finish within the grace time, then exit.
 */
export async function runWorkerProcess(): Promise<void> {
  const logger = createLogger('worker');
  Runtime.install({ logger });
  const platform = await createPlatform(process.env, logger);
  try {
    const running = await startWorkers({
      temporal: platform.temporal,
      ctx: platform,
      keyRing: platform.keyRing,
      integrations: selectIntegrations(platform.config.worker.integrations),
      source: workflowSource(platform.config.production),
      shutdownGraceTime: platform.config.worker.shutdownGraceTime,
    });
    await running.done;
    logger.info('workers stopped');
  } finally {
    await platform.close();
  }
}

if (require.main === module) {
  runWorkerProcess().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
