// First: the SDK's worker modules must find the bundler deferred (deferred-bundler.ts).
import './deferred-bundler';
import { createLogger } from '../logging/logger';
import { installFerjeRuntime } from '../metrics/runtime';
import { setupTracing } from '../tracing/tracing';
import { createPlatform } from '../platform/context';
import { selectIntegrations } from '../platform/registry';
import { workflowSource } from './bundle';
import { serveWorkerHealth } from './health';
import { startWorkers } from './workers';

/**
 * Worker process: `node dist/src/worker/main.js` (production, prebuilt bundle) or `npm run ferje -- worker`.
 * SIGTERM/SIGINT stop polling, let running activities finish within the grace time, then exit.
 */
export async function runWorkerProcess(): Promise<void> {
  const logger = createLogger('worker');
  const { metricsUrl } = installFerjeRuntime({ env: process.env, logger });
  if (metricsUrl) logger.info('serving Prometheus metrics', { url: metricsUrl });
  // Before the platform's client, so this process's spans are named after the worker.
  setupTracing(process.env, 'ferje-worker', logger);
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
    const health = await serveWorkerHealth(process.env, platform, running, logger);
    await running.done;
    await health?.close();
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
