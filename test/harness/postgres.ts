import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensurePostgres } from '../../scripts/postgres';
import { freePort } from './ports';

export interface PostgresServer {
  port: number;
  /** Connection URL of a database on this server, as its superuser `postgres` (trust auth on loopback). */
  url(database?: string): string;
  /** A new, empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Who runs the server: initdb and postgres refuse to run as root, so root hands them to the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new Error('running as root and there is neither a postgres nor a nobody user to run Postgres as');
}

/**
 * A throwaway Postgres 15 for tests and benches: `initdb` into a temp directory and `pg_ctl start` on a free port
 * on 127.0.0.1 (as the `postgres` user when this process is root). `durable: false` (the default for tests) turns
 * fsync off; benches that report figures keep it on.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = ensurePostgres();
  const user = serverUser();
  const root = mkdtempSync(path.join(tmpdir(), 'ferje-pg-'));
  if (user) chownSync(root, user.uid, user.gid);
  const data = path.join(root, 'data');
  const log = path.join(root, 'server.log');
  const run = (tool: string, args: string[]): void => {
    const opts: SpawnSyncOptions = { encoding: 'utf8', cwd: root, ...(user ?? {}) };
    const result = spawnSync(path.join(bin, tool), args, opts);
    if (result.status !== 0) {
      let serverLog = '';
      try {
        serverLog = readFileSync(log, 'utf8').slice(-2000);
      } catch {
        // No log yet (initdb failed).
      }
      throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${String(result.stderr)}\n${serverLog}`);
    }
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${root}`,
    '-c max_connections=200',
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', log, '-o', settings, '-w', '-t', '60', 'start']);
  let stopped = false;
  // Should the test process die first, the server must not outlive it.
  const onExit = (): void => {
    if (!stopped) spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...(user ?? {}) });
  };
  process.once('exit', onExit);
  const url = (database = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let databases = 0;
  return {
    port,
    url,
    async createDatabase(prefix = 'ferje') {
      const name = `${prefix}_${process.pid}_${++databases}`;
      const admin = new Client({ connectionString: url() });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
