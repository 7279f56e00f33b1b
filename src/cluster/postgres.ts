import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clusterSettings } from './settings';

/**
 * A Postgres server of the cluster's major version from the Debian packages, in a directory of its own: initialised
 * on first start (superuser and password as the official image's POSTGRES_USER/POSTGRES_PASSWORD make them),
 * listening on loopback, stopped with pg_ctl. Postgres refuses to run as root, so as root it runs as `postgres`.
 */
export interface PostgresOptions {
  /** Holds data/, the socket directory and postgres.log; created if missing. */
  dir: string;
  port: number;
  host?: string;
  user?: string;
  password?: string;
  /** Extra `-c name=value` server settings (tests turn off fsync). */
  settings?: Record<string, string>;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  url(database: string): string;
  stop(): void;
}

export class PostgresError extends Error {
  override readonly name = 'PostgresError';
}

export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FERJE_POSTGRES_BIN ?? `/usr/lib/postgresql/${clusterSettings.postgresMajor}/bin`;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** The command line that runs a Postgres tool as the user that owns the data. */
function asOwner(tool: string, args: string[]): [string, string[]] {
  const binary = path.join(postgresBinDir(), tool);
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

function run(tool: string, args: string[], what: string): void {
  const [cmd, full] = asOwner(tool, args);
  const result = spawnSync(cmd, full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  if (result.status !== 0) {
    throw new PostgresError(
      `${what} failed (${tool} exit ${result.status}): ${`${result.stderr}${result.stdout}`.trim()}`,
    );
  }
}

function layout(dir: string): { data: string; socket: string; log: string } {
  return { data: path.join(dir, 'data'), socket: path.join(dir, 'run'), log: path.join(dir, 'postgres.log') };
}

export function startPostgres(options: PostgresOptions): RunningPostgres {
  const binDir = postgresBinDir();
  if (!existsSync(path.join(binDir, 'pg_ctl'))) {
    throw new PostgresError(
      `No Postgres ${clusterSettings.postgresMajor} at ${binDir}: install the Debian package ` +
        `postgresql-${clusterSettings.postgresMajor} (npm run setup does) or set FERJE_POSTGRES_BIN.`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const user = options.user ?? clusterSettings.postgresUser;
  const password = options.password ?? clusterSettings.defaultPostgresPassword;
  const dir = path.resolve(options.dir);
  const { data, socket, log } = layout(dir);
  mkdirSync(socket, { recursive: true });
  if (isRoot()) {
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    // The postgres user must be able to reach its directory through every parent.
    if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]).status !== 0) {
      throw new PostgresError(
        `the postgres user cannot reach ${dir}: every parent directory needs execute permission for others ` +
          `(chmod o+x), or choose a directory elsewhere`,
      );
    }
  }

  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    const pwfile = path.join(dir, '.pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (isRoot()) execFileSync('chown', ['postgres:postgres', pwfile]);
    try {
      // Password logins over TCP like the official image; the socket in this directory is the owner's own door.
      run(
        'initdb',
        [
          '-D',
          data,
          '-U',
          user,
          `--pwfile=${pwfile}`,
          '--auth-host=scram-sha-256',
          '--auth-local=trust',
          '-E',
          'UTF8',
          '--no-locale',
        ],
        `initdb ${data}`,
      );
    } catch (err) {
      rmSync(data, { recursive: true, force: true });
      throw err;
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  chmodSync(socket, 0o700);
  const serverOptions = [
    `-c listen_addresses=${host}`,
    `-p ${options.port}`,
    `-k ${socket}`,
    ...Object.entries(options.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  run(
    'pg_ctl',
    ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start'],
    `starting Postgres (see ${log})`,
  );

  return {
    host,
    port: options.port,
    user,
    password,
    dataDir: data,
    url: (database) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${options.port}/${database}`,
    stop: () => stopPostgres(dir),
  };
}

/** Fast shutdown (open sessions are ended, nothing committed is lost); a server that is not running is fine. */
export function stopPostgres(dir: string): void {
  const { data } = layout(path.resolve(dir));
  if (!existsSync(path.join(data, 'postmaster.pid'))) return;
  run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], 'stopping Postgres');
}
