import { taskQueues } from '../../contract/task-queues';
import type { IntegrationModule } from '../../platform/integration';
import { lazyCliCommand } from '../../platform/lazy';
import { signstashCheckCommandInfo } from './cli-info';
import { startSignstashSimulator } from './simulator';

export const signstashModule: IntegrationModule = {
  name: 'signstash',
  title: "Sign'Stash Proxy",
  taskQueue: taskQueues.signstash,
  // Loaded only where this queue is served.
  createActivities: async (ctx) =>
    (await import('../../../activities/signstash/index.js')).createSignstashActivities(ctx),
  preflight: async (ctx) => (await import('./wire-check.js')).verifySignstashAtWorkerStart(ctx.env, ctx.logger),
  startSimulator: startSignstashSimulator,
  demo: async (ctx) => (await import('./demo.js')).runSignstashDemo(ctx),
  cliCommands: [
    lazyCliCommand(signstashCheckCommandInfo, async () => (await import('./cli.js')).signstashCheckCommand),
  ],
};
