import { createSs12000Activities } from '../../../activities/ss12000';
import { taskQueues } from '../../../src/contract/task-queues';
import { runWorkerProcess } from '../../harness/worker-process';

/**
 * An SS12000 worker in its own process (production queue, bundle and activities), so a test or bench can kill it with
 * SIGKILL mid-pass. Env: TEMPORAL_ADDRESS, FERJE_DATA_DIR and the SS12000_* settings.
 */
runWorkerProcess({
  address: process.env.TEMPORAL_ADDRESS,
  taskQueue: taskQueues.ss12000,
  createActivities: createSs12000Activities,
});
