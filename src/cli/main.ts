import { integrations } from '../platform/registry';
import { UsageError, type CliCommand } from './command';
import { clusterCommand } from './commands/cluster';
import { demoCommand } from './commands/demo';
import { documentsCommand } from './commands/documents';
import { devCommand } from './commands/dev';
import { keysCommand } from './commands/keys';
import { codecServerCommand, ingressCommand } from './commands/services';
import { workerCommand } from './commands/worker';
import { cancelCommand, describeCommand, flowsCommand, startCommand } from './commands/workflows';

export const commands: CliCommand[] = [
  devCommand,
  demoCommand,
  workerCommand,
  ingressCommand,
  codecServerCommand,
  startCommand,
  describeCommand,
  cancelCommand,
  flowsCommand,
  keysCommand,
  documentsCommand,
  clusterCommand,
  ...integrations.flatMap((i) => i.cliCommands ?? []),
];

function usage(): string {
  return [
    'Usage: ferje <command> [options]',
    '',
    ...commands.map((c) => `  ${c.usage.padEnd(52)} ${c.description}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(usage());
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`${(err as Error).message}\nUsage: ${command.usage}`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
      process.exit(1);
    },
  );
}
