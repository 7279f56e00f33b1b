import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import { createFixtureActivities } from '../../fixtures/activities';
import type { guardedFixtureWorkflow } from '../../fixtures/workflows';
import { getTestEnv } from '../../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../../harness/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

describe('the shared workflow guard (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('guard');
  before(async () => {
    env = await getTestEnv();
    worker = await createTestWorker({
      env,
      taskQueue,
      activities: createFixtureActivities(mkdtempSync(path.join(tmpdir(), 'ferje-guard-'))),
      source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
  });

  async function failureOf(args: unknown[]): Promise<ApplicationFailure> {
    const err = await env.client.workflow
      .execute<typeof guardedFixtureWorkflow>('guardedFixtureWorkflow', {
        taskQueue,
        workflowId: `guard-${Math.random().toString(36).slice(2)}`,
        args: args as [never],
        workflowTaskTimeout: '5s',
      })
      .then(
        () => assert.fail('the workflow should have failed'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
    assert.equal(err.cause.nonRetryable, true);
    return err.cause;
  }

  for (const [label, args] of [
    ['null', [null]],
    ['a string', ['x']],
    ['an array', [[1]]],
    ['no argument', []],
    ['a zero limit', [{ n: 0 }]],
  ] as const) {
    it(`fails ${label} as typed, non-retryable FerjeInvalidInput naming the field`, async () => {
      const failure = await failureOf([...args]);
      assert.equal(failure.type, commonFailureTypes.invalidInput);
      assert.match(failure.message, /^Invalid guarded fixture input: /);
    });
  }

  it('turns a TypeError in the body into FerjeWorkflowDefect instead of retrying the task forever', async () => {
    const failure = await failureOf([{ n: 13 }]);
    assert.equal(failure.type, commonFailureTypes.workflowDefect);
    assert.match(failure.message, /TypeError/);
  });

  it('runs a valid input to its result', async () => {
    const result = await env.client.workflow.execute<typeof guardedFixtureWorkflow>('guardedFixtureWorkflow', {
      taskQueue,
      workflowId: `guard-ok-${Math.random().toString(36).slice(2)}`,
      args: [{ n: 21 }],
    });
    assert.equal(result, 42);
  });
});
