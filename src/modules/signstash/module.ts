import { createSignstashActivities } from '../../../activities/signstash';
import { taskQueues } from '../../contract/task-queues';
import type { IntegrationModule } from '../../platform/integration';
import { runSignstashDemo } from './demo';
import { startSignstashSimulator } from './simulator';

export const signstashModule: IntegrationModule = {
  name: 'signstash',
  title: "Sign'Stash Proxy",
  taskQueue: taskQueues.signstash,
  createActivities: createSignstashActivities,
  startSimulator: startSignstashSimulator,
  demo: runSignstashDemo,
};
