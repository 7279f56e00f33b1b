import { createPostenSigneringActivities } from '../../../activities/posten-signering';
import { taskQueues } from '../../contract/task-queues';
import type { IntegrationModule } from '../../platform/integration';
import { bootstrap } from './bootstrap';
import { postenBundleCommand } from './cli';
import { runPostenDemo } from './demo';
import { startSimulator } from './simulator';

export const postenSigneringModule: IntegrationModule = {
  name: 'postenSignering',
  title: 'Posten signering',
  taskQueue: taskQueues.postenSignering,
  createActivities: (ctx) => createPostenSigneringActivities(ctx),
  workerOptions: () => ({
    // Activities mostly wait on Posten's 10 calls/second budget; more slots would only queue longer in the pacer.
    maxConcurrentActivityTaskExecutions: 64,
  }),
  bootstrap,
  startSimulator,
  demo: runPostenDemo,
  cliCommands: [postenBundleCommand],
};
