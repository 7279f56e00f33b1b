// First: the SDK's worker modules must find the bundler deferred (deferred-bundler.ts).
import './deferred-bundler';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { failureConverterPath } from '../codec/data-converter';
import { ferjeDataConverter } from '../codec/data-converter';
import type { KeyRing } from '../codec/key-ring';
import type { IntegrationContext, IntegrationModule } from '../platform/integration';
import type { TemporalConnectionSettings } from '../config/temporal-connection';
import { workflowInterceptorModules, type WorkflowSource } from './bundle';
import { workerObservability } from './observability';
import type { ReadinessCheck } from '../http/readiness';
import { sharedWorkflowRuntimeWorker } from './shared-workflow-runtime';

/**
 * The sticky cache of one task queue's worker. The SDK's default grows with the heap limit (about 2 300 workflows
 * with a 4 GiB heap), so a sender with thousands of open jobs kept them all in memory; a miss only costs a replay.
 * Workflow task slots cannot exceed the cache (the SDK would lower them with a warning).
 */
function cacheSizing(maxCachedWorkflows: number): Partial<WorkerOptions> {
  return maxCachedWorkflows === 0
    ? { maxCachedWorkflows: 0 }
    : {
        maxCachedWorkflows: Math.max(2, maxCachedWorkflows),
        maxConcurrentWorkflowTaskExecutions: Math.max(2, Math.min(40, maxCachedWorkflows)),
      };
}

export interface FerjeWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  source: WorkflowSource;
  keyRing: KeyRing;
  shutdownGraceTime: string;
  extra?: Partial<WorkerOptions>;
  /** The Worker class to create (startWorkers passes one that shares the workflow runtime); default the SDK's. */
  workerClass?: typeof Worker;
}

/** One worker with Ferje's non-negotiables: encrypting data converter, namespace, and a shutdown grace time. */
export async function createFerjeWorker(options: FerjeWorkerOptions): Promise<Worker> {
  const observability = workerObservability();
  return (options.workerClass ?? Worker).create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...options.source,
    interceptors: {
      ...observability.interceptors,
      // A prebuilt bundle has them baked in (bundleOptions); a bundle built at start-up needs them named.
      ...('workflowsPath' in options.source ? { workflowModules: workflowInterceptorModules } : {}),
    },
    dataConverter: ferjeDataConverter(options.keyRing),
    // Metrics and traces for every activity and workflow, whatever the integration (src/metrics, src/tracing).
    sinks: observability.sinks,
    // Default 0 would cancel in-flight downloads and uploads on every deploy.
    shutdownGraceTime: options.shutdownGraceTime,
    shutdownForceTime: '2m',
    ...options.extra,
  });
}

export interface RunningWorkers {
  workers: Worker[];
  /** The integrations' own readiness lines (IntegrationModule.readinessChecks). */
  readinessChecks: ReadinessCheck[];
  /** Resolves when every worker has stopped (after shutdown() or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export interface StartWorkersOptions {
  temporal: TemporalConnectionSettings;
  ctx: IntegrationContext;
  keyRing: KeyRing;
  integrations: IntegrationModule[];
  source: WorkflowSource;
  shutdownGraceTime: string;
  /** Ensure pollers/inboxes after the workers are up (default true). */
  bootstrap?: boolean;
}

/**
 * One worker per integration task queue, all on one shared native connection, one parsed bundle and one workflow
 * runtime (FERJE_WORKFLOW_THREADS threads, or the main thread). Each integration's activities, and with them its
 * libraries, are loaded only here, for the queues this process serves.
 */
export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  const { ctx, integrations } = options;
  for (const integration of integrations) await integration.preflight?.(ctx);
  const sizing = ctx.config.worker;
  // In development every worker would bundle the same sources again; bundle once and share the code.
  const source: WorkflowSource =
    'workflowsPath' in options.source && integrations.length > 1
      ? {
          workflowBundle: {
            code: (
              await bundleWorkflowCode({
                workflowsPath: options.source.workflowsPath,
                failureConverterPath,
                workflowInterceptorModules,
                logger: ctx.logger,
              })
            ).code,
          },
        }
      : options.source;
  const activities = await Promise.all(integrations.map(async (integration) => integration.createActivities(ctx)));
  const workerClass = sharedWorkflowRuntimeWorker({
    threads: sizing.workflowThreads,
    activityNames: activities.flatMap((a) => Object.keys(a)),
    stackTraces: sizing.workflowStackTraces,
  });
  const connection = await NativeConnection.connect(options.temporal.connectionOptions);
  let workers: Worker[];
  try {
    workers = await Promise.all(
      integrations.map((integration, i) =>
        createFerjeWorker({
          connection,
          namespace: options.temporal.namespace,
          taskQueue: integration.taskQueue,
          activities: activities[i],
          source,
          keyRing: options.keyRing,
          shutdownGraceTime: options.shutdownGraceTime,
          workerClass,
          extra: { ...cacheSizing(sizing.maxCachedWorkflows), ...integration.workerOptions?.(ctx) },
        }),
      ),
    );
  } catch (err) {
    await connection.close();
    throw err;
  }
  const done = Promise.all(workers.map((w) => w.run()))
    .then(() => undefined)
    .finally(() => connection.close());
  ctx.logger.info('workers running', {
    namespace: options.temporal.namespace,
    taskQueues: integrations.map((i) => i.taskQueue),
  });
  if (options.bootstrap !== false) {
    for (const integration of integrations) {
      await integration.bootstrap?.(ctx);
    }
  }
  return {
    workers,
    readinessChecks: integrations.flatMap((i) => i.readinessChecks?.(ctx) ?? []),
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
