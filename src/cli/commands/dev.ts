import { parseArgs } from 'node:util';
import { startDevStack } from '../../dev/stack';
import { createLogger } from '../../logging/logger';
import { waitForShutdownSignal, type CliCommand } from '../command';

export const devCommand: CliCommand = {
  name: 'dev',
  usage: 'ferje dev [--integrations a,b] [--no-worker]',
  description: 'Start the embedded stack: Temporal dev server + UI, codec server, simulators, ingress, workers',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { integrations: { type: 'string' }, 'no-worker': { type: 'boolean', default: false } },
    });
    const logger = createLogger('dev');
    const stack = await startDevStack({
      env: process.env,
      logger,
      integrations: values.integrations?.split(','),
      worker: !values['no-worker'],
    });
    console.log(`\nFerje dev stack is running:\n${stack.describe()}\n\nCtrl-C stops everything.`);
    const signal = await waitForShutdownSignal();
    logger.info('stopping dev stack', { signal });
    await stack.stop();
    return 0;
  },
};
