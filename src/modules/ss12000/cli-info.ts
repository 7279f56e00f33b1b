import type { CliCommandInfo } from '../../platform/lazy';

/** The `ss12000-status` command as the CLI lists it; the command itself (the stores, SQLite) loads on use. */
export const ss12000StatusCommandInfo: CliCommandInfo = {
  name: 'ss12000-status',
  usage: 'ferje ss12000-status [--huvudman ref] [--store file|postgres-url] [--json]',
  description: 'Per huvudman and resource type: entities stored, watermark and the last pass outcome',
};
