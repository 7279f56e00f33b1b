import { createPostenSigneringActivities } from '../../../activities/posten-signering';
import { ensureStatusPoller } from '../../../activities/posten-signering/runtime';
import { taskQueues } from '../../contract/task-queues';
import type { IntegrationModule } from '../../platform/integration';
import { startPostenSimulator } from '../../simulators/posten-signering';
import { postenBundleCommand } from './cli';
import { loadPostenConfig } from './config';
import { DEMO_SENDER, runPostenDemo } from './demo';

export const postenSigneringModule: IntegrationModule = {
  name: 'postenSignering',
  title: 'Posten signering',
  taskQueue: taskQueues.postenSignering,
  createActivities: (ctx) => createPostenSigneringActivities(ctx),
  workerOptions: () => ({
    // Activities mostly wait on Posten's 10 calls/second budget; more slots would only queue longer in the pacer.
    maxConcurrentActivityTaskExecutions: 64,
  }),
  async bootstrap(ctx) {
    const config = loadPostenConfig(ctx.env);
    for (const target of config.pollers) {
      await ensureStatusPoller(ctx.client, config.taskQueue, target.sender, target.pollingQueue);
    }
  },
  async startSimulator(options) {
    const sim = await startPostenSimulator({
      host: options.host,
      port: options.basePort,
      dataDir: options.dataDir,
      logger: options.logger,
      senders: [DEMO_SENDER],
      // Posten's test environments permit the next poll 5-30 s after an empty queue; production waits 10 minutes.
      rules: { emptyQueuePollDelayMs: 5_000 },
    });
    return {
      title: 'Posten signering',
      urls: { api: sim.rootUrl, control: `${sim.controlUrl}/control/jobs` },
      env: { ...sim.env, POSTEN_SIGNERING_POLLERS: DEMO_SENDER },
      stop: () => sim.stop(),
    };
  },
  demo: runPostenDemo,
  cliCommands: [postenBundleCommand],
};
