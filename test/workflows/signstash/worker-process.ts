import { createSignstashActivities } from '../../../activities/signstash';
import { runWorkerProcess } from '../../harness/worker-process';

/**
 * A Sign'Stash worker in its own process, so a test can kill it with SIGKILL mid-operation. Env: WORKER_ADDRESS,
 * WORKER_TASK_QUEUE, FERJE_DATA_DIR (blobs, shared with its successor) and the SIGNSTASH_* settings.
 */
runWorkerProcess({
  address: process.env.WORKER_ADDRESS,
  taskQueue: process.env.WORKER_TASK_QUEUE ?? 'signstash-fixture',
  createActivities: createSignstashActivities,
});
