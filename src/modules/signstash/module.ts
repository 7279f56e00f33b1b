import { taskQueues } from '../../contract/task-queues';
import type { IntegrationModule } from '../../platform/integration';
import { signstashCheckCommand } from './cli';
import { startSignstashSimulator } from './simulator';
import { verifySignstashAtWorkerStart } from './wire-check';

export const signstashModule: IntegrationModule = {
  name: 'signstash',
  title: "Sign'Stash Proxy",
  taskQueue: taskQueues.signstash,
  // Loaded only where this queue is served.
  createActivities: async (ctx) =>
    (await import('../../../activities/signstash/index.js')).createSignstashActivities(ctx),
  preflight: (ctx) => verifySignstashAtWorkerStart(ctx.env, ctx.logger),
  startSimulator: startSignstashSimulator,
  demo: async (ctx) => (await import('./demo.js')).runSignstashDemo(ctx),
  cliCommands: [signstashCheckCommand],
};
