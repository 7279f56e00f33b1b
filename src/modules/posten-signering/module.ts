import { taskQueues } from '../../contract/task-queues';
import type { IntegrationModule } from '../../platform/integration';
import { lazyCliCommand } from '../../platform/lazy';
import { postenBundleCommandInfo } from './cli-info';
import { runPostenDemo } from './demo';
import { startSimulator } from './simulator';

export const postenSigneringModule: IntegrationModule = {
  name: 'postenSignering',
  title: 'Posten signering',
  taskQueue: taskQueues.postenSignering,
  // Loaded only where this queue is served: the XAdES signer, the keystore and the XML libraries come with it.
  createActivities: async (ctx) =>
    (await import('../../../activities/posten-signering/index.js')).createPostenSigneringActivities(ctx),
  workerOptions: () => ({
    // Activities mostly wait on Posten's 10 calls/second budget; more slots would only queue longer in the pacer.
    maxConcurrentActivityTaskExecutions: 64,
  }),
  bootstrap: async (ctx) => (await import('./bootstrap.js')).bootstrap(ctx),
  startSimulator,
  demo: runPostenDemo,
  cliCommands: [lazyCliCommand(postenBundleCommandInfo, async () => (await import('./cli.js')).postenBundleCommand)],
};
