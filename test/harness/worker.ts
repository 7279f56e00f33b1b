import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../../src/codec/data-converter';
import { bundleOptions, type WorkflowSource } from '../../src/worker/bundle';
import { createFerjeWorker } from '../../src/worker/workers';
import { testKeyRing } from './keys';

let productionBundle: Promise<WorkflowSource> | undefined;

/**
 * The production workflow bundle: prebuilt by the test runner (`FERJE_WORKFLOW_BUNDLE`), or bundled once per test
 * process when a file is run on its own.
 */
export function productionWorkflowSource(): Promise<WorkflowSource> {
  productionBundle ??= (async () => {
    const codePath = process.env.FERJE_WORKFLOW_BUNDLE;
    if (codePath) return { workflowBundle: { codePath } };
    const { code } = await bundleWorkflowCode({ ...bundleOptions(), logger: quietBundlerLogger });
    return { workflowBundle: { code } };
  })();
  return productionBundle;
}

const fixtureBundles = new Map<string, Promise<WorkflowSource>>();

/** A bundle of test-only workflows (platform tests that need a controllable workflow). */
export function fixtureWorkflowSource(workflowsPath: string): Promise<WorkflowSource> {
  let source = fixtureBundles.get(workflowsPath);
  if (!source) {
    source = bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietBundlerLogger }).then(
      ({ code }): WorkflowSource => ({ workflowBundle: { code } }),
    );
    fixtureBundles.set(workflowsPath, source);
  }
  return source;
}

const noop = (): void => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface TestWorkerOptions {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  activities: object;
  source?: WorkflowSource;
  connection?: NativeConnection;
  extra?: Partial<WorkerOptions>;
  workerClass?: typeof Worker;
}

/** A worker configured exactly like production (codec, failure converter, grace time) on a test task queue. */
export async function createTestWorker(options: TestWorkerOptions): Promise<Worker> {
  return createFerjeWorker({
    connection: options.connection ?? options.env.nativeConnection,
    namespace: options.env.namespace ?? 'default',
    taskQueue: options.taskQueue,
    activities: options.activities,
    source: options.source ?? (await productionWorkflowSource()),
    keyRing: testKeyRing(),
    shutdownGraceTime: '2s',
    extra: options.extra,
    workerClass: options.workerClass,
  });
}

export const fixturesDir = path.join(__dirname, '..', 'fixtures');
