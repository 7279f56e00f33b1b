import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerNamespaceAndSearchAttributes } from './one-shots';
import { startPostgres, stopPostgres, type RunningPostgres } from './postgres';
import { setupTemporalSchema } from './schema';
import { ensureTemporalServerBuild, type TemporalServerBuild } from './server-build';
import { clusterSettings } from './settings';
import { processAlive, startTemporalServer, stopProcess, type ServerPorts } from './temporal-server';

/**
 * The self-hosted topology on one machine, natively: compose's postgresql → temporal-schema → temporal →
 * temporal-namespace → temporal-search-attributes, in that order, from the same versions and settings. Everything
 * lives in one directory (Postgres data, logs, and cluster.json naming what runs, for `down` and `status`).
 */
export interface ClusterOptions {
  dir: string;
  ports: ServerPorts;
  postgresPort: number;
  postgresPassword?: string;
  /** Extra Postgres settings (tests turn off fsync: the machine's durability is not what they test). */
  postgresSettings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface ClusterState {
  version: string;
  address: string;
  namespace: string;
  serverPid: number;
  serverLog: string;
  postgres: { dir: string; host: string; port: number; user: string };
  startedAt: string;
}

export interface RunningCluster extends ClusterState {
  build: TemporalServerBuild;
  postgresServer: RunningPostgres;
  stop(): Promise<void>;
}

export class ClusterAlreadyRunningError extends Error {
  override readonly name = 'ClusterAlreadyRunningError';
}

const stateFile = (dir: string): string => path.join(dir, 'cluster.json');

export function readClusterState(dir: string): ClusterState | undefined {
  const file = stateFile(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterState) : undefined;
}

export function clusterIsRunning(state: ClusterState): boolean {
  return processAlive(state.serverPid);
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(options.dir);
  const previous = readClusterState(dir);
  if (previous && clusterIsRunning(previous)) {
    throw new ClusterAlreadyRunningError(`A cluster from ${dir} is already running at ${previous.address}`);
  }
  mkdirSync(dir, { recursive: true });
  // Postgres runs as its own user when we are root and must pass through here (no read access is granted).
  chmodSync(dir, statSync(dir).mode | 0o111);
  const build = ensureTemporalServerBuild({ log });
  const postgresDir = path.join(dir, 'postgres');
  log(`starting Postgres ${clusterSettings.postgresMajor} on 127.0.0.1:${options.postgresPort}`);
  const postgres = startPostgres({
    dir: postgresDir,
    port: options.postgresPort,
    password: options.postgresPassword,
    settings: options.postgresSettings,
  });
  try {
    const sql = { host: postgres.host, port: postgres.port, user: postgres.user, password: postgres.password };
    log('setting up the Temporal schema (persistence and visibility)');
    setupTemporalSchema(build, sql);
    log(`starting the Temporal server ${build.version}`);
    const server = await startTemporalServer({
      build,
      sql,
      ports: options.ports,
      logFile: path.join(dir, 'temporal-server.log'),
    });
    const state: ClusterState = {
      version: build.version,
      address: server.address,
      namespace: clusterSettings.namespace,
      serverPid: server.pid,
      serverLog: server.logFile,
      postgres: { dir: postgresDir, host: postgres.host, port: postgres.port, user: postgres.user },
      startedAt: new Date().toISOString(),
    };
    writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
    try {
      log(`registering namespace ${state.namespace} and search attributes`);
      await registerNamespaceAndSearchAttributes(server.address, state.namespace);
    } catch (err) {
      await stopCluster(dir);
      throw err;
    }
    return { ...state, build, postgresServer: postgres, stop: async () => void (await stopCluster(dir)) };
  } catch (err) {
    if (!existsSync(stateFile(dir))) postgres.stop();
    throw err;
  }
}

/** Stops the server (it drains), then Postgres; a cluster that is not running is fine. */
export async function stopCluster(dir: string): Promise<boolean> {
  const state = readClusterState(path.resolve(dir));
  if (!state) return false;
  await stopProcess(state.serverPid);
  stopPostgres(state.postgres.dir);
  rmSync(stateFile(path.resolve(dir)), { force: true });
  return true;
}
