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
    console.log(`\nFerje dev stack is running:\n${stack.describe()}`);
    if (values['no-worker'])
      console.log(`\n${separateWorkerInstructions(stack.env, process.env, stack.platform.config.dataDir)}`);
    console.log('\nCtrl-C stops everything.');
    const signal = await waitForShutdownSignal();
    logger.info('stopping dev stack', { signal });
    await stack.stop();
    return 0;
  },
};

/**
 * What a worker started by hand in another terminal needs to join this stack: the variables the stack set or added
 * (Temporal address, simulator endpoints and their development credentials) and the data folder that holds the blob
 * store and the development codec key. Only the dev stack prints this; its credentials are the simulators' own.
 */
export function separateWorkerInstructions(
  stackEnv: NodeJS.ProcessEnv,
  ownEnv: NodeJS.ProcessEnv,
  dataDir: string,
): string {
  const vars: Record<string, string> = { FERJE_DATA_DIR: dataDir };
  for (const [key, value] of Object.entries(stackEnv)) {
    if (value !== undefined && ownEnv[key] !== value) vars[key] = value;
  }
  const quote = (v: string): string => (/^[A-Za-z0-9_./:@,=+-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  return [
    'No worker runs in this process. Start one elsewhere with this environment:',
    ...Object.keys(vars)
      .sort()
      .map((key) => `  export ${key}=${quote(vars[key])}`),
    '  npm run ferje -- worker',
  ].join('\n');
}
