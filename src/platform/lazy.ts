import type { CliCommand } from '../cli/command';

/** What the CLI lists about a command without loading it. */
export type CliCommandInfo = Omit<CliCommand, 'run'>;

/**
 * A CLI command whose implementation (and the libraries it needs, such as the XSD validator or the SQLite store)
 * loads only when it runs: every Ferje process loads the registry, and a worker must not pay for CLI code.
 */
export function lazyCliCommand(info: CliCommandInfo, load: () => Promise<CliCommand>): CliCommand {
  return { ...info, run: async (args) => (await load()).run(args) };
}
