import { runWorkerProcess } from '../../worker/main';
import type { CliCommand } from '../command';

export const workerCommand: CliCommand = {
  name: 'worker',
  usage: 'ferje worker',
  description:
    'Run one worker per integration task queue against TEMPORAL_ADDRESS (FERJE_WORKER_INTEGRATIONS limits them)',
  async run() {
    await runWorkerProcess();
    return 0;
  },
};
