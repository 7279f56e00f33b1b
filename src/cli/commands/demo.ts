import { parseArgs } from 'node:util';
import { startDevStack } from '../../dev/stack';
import { createLogger, parseLogLevel } from '../../logging/logger';
import { waitForShutdownSignal, type CliCommand } from '../command';

export const demoCommand: CliCommand = {
  name: 'demo',
  usage: 'ferje demo [--exit] [--integrations a,b]',
  description: 'Start the dev stack and run every integration end to end on its simulator, then print UI links',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { exit: { type: 'boolean', default: false }, integrations: { type: 'string' } },
    });
    // The demo's console is its report; service chatter only when asked for (FERJE_LOG_LEVEL=INFO).
    const logger = createLogger('demo', parseLogLevel(process.env.FERJE_LOG_LEVEL, 'WARN'));
    const stack = await startDevStack({ env: process.env, logger, integrations: values.integrations?.split(',') });
    let failed = 0;
    const links: string[] = [];
    try {
      console.log(`\nFerje dev stack is running:\n${stack.describe()}\n`);
      for (const integration of stack.integrations) {
        if (!integration.demo) continue;
        console.log(`== ${integration.title} ==`);
        try {
          const result = await integration.demo({ ...stack.platform, uiLink: stack.uiLink });
          for (const line of result.lines) console.log(`  ${line}`);
          for (const id of result.workflowIds) links.push(`${integration.title}: ${stack.uiLink(id)}`);
        } catch (err) {
          failed++;
          console.error(`  demo failed: ${(err as Error).message}`);
        }
      }
      console.log('\nWorkflows in the Temporal UI:');
      for (const link of links) console.log(`  ${link}`);
      if (failed > 0) console.error(`\n${failed} demo(s) failed`);
      if (!values.exit) {
        console.log('\nThe stack keeps running so you can open the links. Ctrl-C stops everything.');
        await waitForShutdownSignal();
      }
    } finally {
      await stack.stop();
    }
    return failed > 0 ? 1 : 0;
  },
};
