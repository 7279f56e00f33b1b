import { Worker as Thread } from 'node:worker_threads';
import type { Logger } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';
import { ThreadedVMWorkflowCreator, WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';

/**
 * Workflow stack traces (the `__stack_trace` query behind the Temporal UI's "Stack Trace" tab) without their cost, or
 * not at all. To answer that query the SDK installs a V8 promise hook that, for every promise a workflow creates
 * (replays included), builds an `Error`, formats its stack through the bundle's source map and keeps it until the
 * promise settles. Profiled in bench:scale (docs/cost-and-scale.md), that hook was half of the workflow thread's CPU
 * while 1 000 Posten jobs took their status changes, and the main reason CPU per change grew with open jobs: every
 * sticky-cache miss replays a whole history through it. Without the hook the SDK does not register the query (a
 * `QueryNotRegisteredError`); Ferje's own operator view (`FerjeStatus`, details) says where a flow stands.
 */

/** Workflow threads like the SDK's (`ThreadedVMWorkflowCreator.create`), whose isolates never install the hook. */
export async function createThreadsWithoutStackTraces(options: {
  threadPoolSize: number;
  workflowBundle: WorkflowBundleWithSourceMapAndFilename;
  isolateExecutionTimeoutMs: number;
  registeredActivityNames: Set<string>;
  logger: Logger;
}): Promise<ThreadedVMWorkflowCreator> {
  const clients = Array.from(
    { length: options.threadPoolSize },
    () => new WorkerThreadClient(new Thread(threadSource(), { eval: true }), options.logger, undefined),
  );
  await Promise.all(
    clients.map((client) =>
      client.send({
        type: 'init',
        workflowBundle: options.workflowBundle,
        isolateExecutionTimeoutMs: options.isolateExecutionTimeoutMs,
        reuseV8Context: true,
        registeredActivityNames: options.registeredActivityNames,
        hasPatchActivationCallback: false,
      }),
    ),
  );
  return new ThreadedVMWorkflowCreator(clients);
}

/** For workflow code on this (the main) thread: removes the hook the SDK installed here. */
export function stopStackTracesOnThisThread(): void {
  // `stopPromiseHook` is private in the SDK's types; it is the SDK's own way to remove the hook (1.24.0, pinned).
  (globalHandlers as unknown as { stopPromiseHook(): void }).stopPromiseHook();
  globalHandlers.promiseHookInstalled = false;
}

/**
 * The thread's entry: the SDK's own workflow thread, with the promise hook's installation made a no-op before the
 * SDK's runtime installs it (source-mapped stacks of errors stay: they cost only when an error is made).
 */
function threadSource(): string {
  const vmShared = require.resolve('@temporalio/worker/lib/workflow/vm-shared');
  const entry = require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread');
  return [
    `require(${JSON.stringify(vmShared)}).globalHandlers.setPromiseHook = () => {};`,
    `require(${JSON.stringify(entry)});`,
  ].join('\n');
}
