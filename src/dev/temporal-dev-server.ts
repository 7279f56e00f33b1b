import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeRegistrations } from '../contract/search-attributes';

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file that keeps workflows across restarts of the stack. */
  dbFilename: string;
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  codecEndpoint?: string;
  logFile: string;
  extraArgs?: string[];
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with a persistent database and waits until its frontend answers. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  mkdirSync(path.dirname(options.dbFilename), { recursive: true });
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFilename,
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    ...searchAttributeRegistrations.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type}`]),
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
    ...(options.extraArgs ?? []),
  ];
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const address = `${options.ip}:${options.port}`;
  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    }
    log.end();
  };
  try {
    await waitForFrontend(address, () => exited, 90_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message} (see ${options.logFile})`);
  }
  return {
    address,
    uiUrl: `http://${options.ip === '0.0.0.0' ? 'localhost' : options.ip}:${options.uiPort}`,
    process: child,
    stop,
  };
}

export async function waitForFrontend(
  address: string,
  exited: () => number | null | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited() !== undefined) throw new Error(`Temporal dev server exited with code ${exited()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.withDeadline(Date.now() + 2000, () => connection.healthService.check({}));
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`Temporal frontend at ${address} not ready after ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}
