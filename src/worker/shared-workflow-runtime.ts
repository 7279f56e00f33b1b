import './deferred-bundler';
import type { Logger } from '@temporalio/worker';
import { Worker } from '@temporalio/worker/lib/worker';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';
import type { CompiledWorkerOptions } from '@temporalio/worker/lib/worker-options';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { ThreadedVMWorkflowCreator } from '@temporalio/worker/lib/workflow/threaded-vm';
import { readPrebuiltBundle } from './prebuilt-bundle';
import { createThreadsWithoutStackTraces, stopStackTracesOnThisThread } from './workflow-stack-traces';

/** How a process runs workflow code for all of its task queues. */
export interface SharedWorkflowRuntimeOptions {
  /** Worker threads, each one V8 isolate with the bundle loaded; 0 runs workflow code on the main thread. */
  threads: number;
  /** Every activity type any of the process's workers registers (the SDK checks local activities against it). */
  activityNames: Iterable<string>;
  /** Longest a workflow activation may run before the SDK calls it a deadlock (the SDK's own default is 5 s). */
  isolateExecutionTimeoutMs?: number;
  /** The SDK's workflow stack traces (default true, as the SDK); see src/worker/workflow-stack-traces.ts. */
  stackTraces?: boolean;
}

/**
 * A `Worker` class whose instances share one parsed workflow bundle and one workflow runtime (threads or the main
 * thread's V8 context). The SDK gives every `Worker` its own thread with its own isolate and its own copy of the
 * bundle: about 60-80 MB each (docs/cost-and-scale.md), so one process serving five task queues paid for five.
 * Workflow state is keyed by run ID, so runs of several task queues can share a runtime as the runs of one queue
 * already do. The runtime is destroyed when the last worker that uses it shuts down.
 *
 * Relies on the SDK's protected `getOrCreateBundle`/`createWorkflowCreator` hooks of 1.24.0 (pinned exactly); the
 * worker tests and the replay gate run through it.
 */
export function sharedWorkflowRuntimeWorker(options: SharedWorkflowRuntimeOptions): typeof Worker {
  const activityNames = new Set(options.activityNames);
  const timeoutMs = options.isolateExecutionTimeoutMs ?? 5_000;
  let bundle: Promise<WorkflowBundleWithSourceMapAndFilename | undefined> | undefined;
  let runtime: Promise<WorkflowCreator> | undefined;
  let users = 0;

  const createRuntime = async (
    code: WorkflowBundleWithSourceMapAndFilename,
    logger: Logger,
  ): Promise<WorkflowCreator> => {
    if (options.threads === 0) {
      const mainThread = await ReusableVMWorkflowCreator.create(code, timeoutMs, activityNames, undefined);
      if (options.stackTraces === false) stopStackTracesOnThisThread();
      return mainThread;
    }
    const threads = {
      threadPoolSize: options.threads,
      workflowBundle: code,
      isolateExecutionTimeoutMs: timeoutMs,
      registeredActivityNames: activityNames,
      logger,
    };
    return options.stackTraces === false
      ? createThreadsWithoutStackTraces(threads)
      : ThreadedVMWorkflowCreator.create({ ...threads, reuseV8Context: true, patchActivationCallback: undefined });
  };

  return class SharedWorkflowRuntimeWorker extends Worker {
    protected static override getOrCreateBundle(
      compiledOptions: CompiledWorkerOptions,
      logger: Logger,
    ): Promise<WorkflowBundleWithSourceMapAndFilename | undefined> {
      // The first worker parses (or bundles) the code; the others reuse it: the bundles are the same code anyway.
      // A prebuilt bundle (production, replay) is read without the SDK's main-thread preload (prebuilt-bundle.ts).
      const prebuilt = compiledOptions.workflowBundle;
      bundle ??=
        prebuilt && 'codePath' in prebuilt
          ? readPrebuiltBundle(prebuilt.codePath)
          : super.getOrCreateBundle(compiledOptions, logger);
      return bundle;
    }

    protected static override async createWorkflowCreator(
      code: WorkflowBundleWithSourceMapAndFilename,
      _compiledOptions: CompiledWorkerOptions,
      logger: Logger,
    ): Promise<WorkflowCreator> {
      runtime ??= createRuntime(code, logger);
      const shared = await runtime;
      users++;
      let destroyed = false;
      return {
        createWorkflow: (createOptions) => shared.createWorkflow(createOptions),
        async destroy() {
          if (destroyed) return;
          destroyed = true;
          if (--users === 0) {
            runtime = undefined;
            await shared.destroy();
          }
        },
      };
    }
  };
}
