import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createBlobStore } from '../../src/blobs/from-config';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { loadFerjeConfig } from '../../src/config/ferje-config';
import { createLogger } from '../../src/logging/logger';
import type { IntegrationContext } from '../../src/platform/integration';
import type { WorkflowSource } from '../../src/worker/bundle';
import { createFerjeWorker } from '../../src/worker/workers';
import { testKeyRing } from './keys';
import { spawnTs, type ChildHandle } from './processes';
import { productionWorkflowSource } from './worker';

export interface WorkerProcessOptions {
  address: string | undefined;
  taskQueue: string;
  createActivities(ctx: IntegrationContext): object;
  source?: WorkflowSource;
}

/**
 * The body of a test worker that runs in its own process (so a test can SIGKILL it like a crash): a worker set up
 * like production on the test key, with the integration's activities built from this process's environment.
 * Prints "ready" once polling and stops on SIGTERM.
 */
export function runWorkerProcess(options: WorkerProcessOptions): void {
  const main = async (): Promise<void> => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const connection = await NativeConnection.connect({ address: options.address });
    const clientConnection = await Connection.connect({ address: options.address });
    const config = loadFerjeConfig(process.env);
    const ctx: IntegrationContext = {
      config,
      env: process.env,
      client: new Client({ connection: clientConnection, dataConverter: ferjeDataConverter(testKeyRing()) }),
      namespace: 'default',
      blobStore: createBlobStore(process.env, config),
      logger: createLogger('worker', 'WARN'),
    };
    const worker = await createFerjeWorker({
      connection,
      namespace: 'default',
      taskQueue: options.taskQueue,
      activities: options.createActivities(ctx),
      source: options.source ?? (await productionWorkflowSource()),
      keyRing: testKeyRing(),
      shutdownGraceTime: '2s',
    });
    await worker.runUntil(async () => {
      console.log('ready');
      await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
    });
    await clientConnection.close();
    await connection.close();
  };
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/** A test worker running in its own process (started by `spawnWorkerProcess`). */
export interface SpawnedWorker extends ChildHandle {
  /** When the worker printed "ready" (it polls its task queue from then on): the start of a recovery measurement. */
  readyAtMs: number;
  /** SIGKILL, like a crash, and wait until the process is gone. */
  killHard(): Promise<void>;
  /** SIGTERM (a graceful shutdown) and wait until the process is gone. */
  stop(): Promise<void>;
}

/**
 * Starts `entry` (a tiny file that calls `runWorkerProcess`) in a child process with `env` on top of this process's
 * environment, and resolves once it polls. Pass `WORKER_ADDRESS` and `WORKER_TASK_QUEUE` (or whatever the entry reads)
 * in `env`. The one way every integration's tests run a worker they can kill.
 */
export async function spawnWorkerProcess(
  entry: string,
  env: Record<string, string>,
  options: { readyTimeoutMs?: number } = {},
): Promise<SpawnedWorker> {
  const child = spawnTs(entry, [], { ...process.env, ...env });
  await child.waitFor(/^ready$/m, options.readyTimeoutMs ?? 120_000);
  const readyAtMs = Date.now();
  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill(signal);
    await child.exited;
  };
  return { ...child, readyAtMs, killHard: () => signalAndWait('SIGKILL'), stop: () => signalAndWait('SIGTERM') };
}
