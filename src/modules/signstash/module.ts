import { createSignstashActivities } from '../../../activities/signstash';
import { taskQueues } from '../../contract/task-queues';
import type { IntegrationModule } from '../../platform/integration';
import { signstashCheckCommand } from './cli';
import { runSignstashDemo } from './demo';
import { startSignstashSimulator } from './simulator';
import { verifySignstashAtWorkerStart } from './wire-check';

export const signstashModule: IntegrationModule = {
  name: 'signstash',
  title: "Sign'Stash Proxy",
  taskQueue: taskQueues.signstash,
  createActivities: createSignstashActivities,
  preflight: (ctx) => verifySignstashAtWorkerStart(ctx.env, ctx.logger),
  startSimulator: startSignstashSimulator,
  demo: runSignstashDemo,
  cliCommands: [signstashCheckCommand],
};
