import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../config/ferje-config';
import { waitForFrontend } from '../dev/temporal-dev-server';
import { freeLowPort, freePort } from './free-port';
import type { SqlEndpoint } from './schema';
import type { TemporalServerBuild } from './server-build';
import { clusterSettings } from './settings';

/** The ports of the four services of one server process (compose publishes only the frontend's gRPC port). */
export interface ServerPorts {
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
}

/** The server's own defaults, as in the container. */
export const defaultServerPorts: ServerPorts = {
  frontendGrpc: 7233,
  frontendHttp: 7243,
  frontendMembership: 6933,
  historyGrpc: 7234,
  historyMembership: 6934,
  matchingGrpc: 7235,
  matchingMembership: 6935,
  workerGrpc: 7239,
  workerMembership: 6939,
};

export async function freeServerPorts(frontendGrpc?: number): Promise<ServerPorts> {
  const ports = {} as ServerPorts;
  for (const key of Object.keys(defaultServerPorts) as (keyof ServerPorts)[]) {
    ports[key] = key.endsWith('Membership') ? await freeLowPort() : await freePort();
  }
  if (frontendGrpc) ports.frontendGrpc = frontendGrpc;
  return ports;
}

/**
 * What the temporalio/server image is configured with: since 1.32 `temporal-server start` without a config file
 * renders the server's embedded config template from these variables, natively exactly as in the container. The
 * values are compose's `temporal` service environment, with loopback addresses and this machine's ports.
 */
export function temporalServerEnvironment(
  sql: SqlEndpoint,
  ports: ServerPorts,
  host = '127.0.0.1',
): Record<string, string> {
  return {
    DB: clusterSettings.sqlPlugin,
    DB_PORT: String(sql.port),
    POSTGRES_USER: sql.user,
    POSTGRES_PWD: sql.password,
    POSTGRES_SEEDS: sql.host,
    BIND_ON_IP: host,
    DYNAMIC_CONFIG_FILE_PATH: path.join(projectDir, clusterSettings.dynamicConfigFile),
    LOG_LEVEL: 'warn',
    FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    HISTORY_GRPC_PORT: String(ports.historyGrpc),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matchingGrpc),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.workerGrpc),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
  };
}

export interface StartedServer {
  pid: number;
  address: string;
  logFile: string;
}

/**
 * Starts the server in its own process group with its output in a log file, so it outlives `ferje cluster up`, and
 * returns once the frontend answers health checks.
 */
export async function startTemporalServer(options: {
  build: TemporalServerBuild;
  sql: SqlEndpoint;
  ports: ServerPorts;
  logFile: string;
  host?: string;
}): Promise<StartedServer> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const child = spawn(options.build.server, ['start'], {
    env: { PATH: process.env.PATH ?? '', ...temporalServerEnvironment(options.sql, options.ports, host) },
    stdio: ['ignore', log, log],
    detached: true,
    cwd: path.dirname(options.logFile),
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const address = `${host}:${options.ports.frontendGrpc}`;
  try {
    await waitForFrontend(address, () => exited, 180_000);
  } catch (err) {
    if (exited === undefined) child.kill('SIGKILL');
    throw new Error(`Temporal server: ${(err as Error).message} (see ${options.logFile})`);
  }
  if (child.pid === undefined) throw new Error('Temporal server: no process id');
  return { pid: child.pid, address, logFile: options.logFile };
}

/** Whether a process with this id exists (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM (the server drains and exits), SIGKILL after the grace time. */
export async function stopProcess(pid: number, graceMs = 20_000): Promise<void> {
  if (!processAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  while (processAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}
