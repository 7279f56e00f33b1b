import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { clusterSettings } from './settings';
import type { TemporalServerBuild } from './server-build';

export interface SqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

export class SchemaSetupError extends Error {
  override readonly name = 'SchemaSetupError';
}

/** The environment compose's temporal-schema one-shot gives temporal-sql-tool. */
export function sqlToolEnvironment(sql: SqlEndpoint): Record<string, string> {
  return {
    SQL_PLUGIN: clusterSettings.sqlPlugin,
    SQL_HOST: sql.host,
    SQL_PORT: String(sql.port),
    SQL_USER: sql.user,
    SQL_PASSWORD: sql.password,
  };
}

/**
 * compose's temporal-schema one-shot, natively: both databases created if missing, then brought to the schema of
 * this server version (setup-schema -v 0.0 only adds the version table; update-schema applies what is missing, so a
 * second run and a version bump are both no-ops or upgrades, never a rebuild).
 */
export function setupTemporalSchema(build: TemporalServerBuild, sql: SqlEndpoint): void {
  const env = { PATH: process.env.PATH ?? '', ...sqlToolEnvironment(sql) };
  const tool = (database: string, args: string[], tolerate?: RegExp): void => {
    const result = spawnSync(build.sqlTool, ['--database', database, ...args], {
      env,
      encoding: 'utf8',
      timeout: 300_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    if (result.status === 0 || (tolerate && tolerate.test(output))) return;
    throw new SchemaSetupError(`temporal-sql-tool --database ${database} ${args.join(' ')} failed:\n${output.trim()}`);
  };
  const targets = [
    { database: clusterSettings.databases.persistence, dir: 'temporal' },
    { database: clusterSettings.databases.visibility, dir: 'visibility' },
  ];
  for (const { database, dir } of targets) {
    tool(database, ['create-database'], /already exists/);
    tool(database, ['setup-schema', '-v', '0.0']);
    tool(database, ['update-schema', '-d', path.join(build.postgresSchemaDir, dir, 'versioned')]);
  }
}
