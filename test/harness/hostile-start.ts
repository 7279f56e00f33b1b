import assert from 'node:assert/strict';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Starts a workflow the language-neutral way (a raw `workflow.start(type, { args })`, as `temporal workflow start
 * --input …` or a Java/.NET/Python caller does, with no typed client in front) and requires what every hostile-input
 * suite requires: the workflow itself fails with a non-retryable `ApplicationFailure`, ends FAILED, and does so within
 * seconds — never as a workflow task failing and retrying in a loop. A short workflow task timeout makes a failed task
 * show up as a retry after `workflowTaskTimeout` rather than as the result. Each suite then checks its own side
 * effects (no call to the partner) and the failure's type and message.
 */
export async function refusedAtStart(
  client: Client,
  options: {
    workflowType: string;
    taskQueue: string;
    workflowId: string;
    args: unknown[];
    workflowTaskTimeout?: string;
    /** How long the refusal may take, start to FAILED (default 15 s). */
    withinMs?: number;
  },
): Promise<ApplicationFailure> {
  const withinMs = options.withinMs ?? 15_000;
  const started = Date.now();
  const handle = await client.workflow.start(options.workflowType, {
    taskQueue: options.taskQueue,
    workflowId: options.workflowId,
    args: options.args as [never],
    workflowTaskTimeout: options.workflowTaskTimeout ?? '2s',
  });
  let timer: NodeJS.Timeout | undefined;
  const err = await Promise.race([
    handle.result().then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    ),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${withinMs} ms (stuck?)`)), withinMs);
    }),
  ]).finally(() => clearTimeout(timer));
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  assert.equal(err.cause.nonRetryable, true);
  assert.equal((await handle.describe()).status.name, 'FAILED');
  assert.ok(Date.now() - started < withinMs, 'failed within seconds, not after task retries');
  return err.cause;
}
