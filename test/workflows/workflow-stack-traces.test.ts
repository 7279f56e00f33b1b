import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { sharedWorkflowRuntimeWorker } from '../../src/worker/shared-workflow-runtime';
import { createFixtureActivities } from '../fixtures/activities';
import { getTestEnv } from '../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../harness/worker';

/**
 * FERJE_WORKFLOW_STACK_TRACES=false: the workflow runtime runs without the SDK's promise hook (src/worker/
 * workflow-stack-traces.ts), so `__stack_trace` is not offered, and workflows still run, wait and finish as before.
 * The main-thread case goes last: removing the hook there lasts for the rest of this test process.
 */
const cases = [
  { threads: 1, stackTraces: true },
  { threads: 1, stackTraces: false },
  { threads: 0, stackTraces: false },
];

for (const { threads, stackTraces } of cases) {
  describe(`workflow stack traces ${stackTraces ? 'on' : 'off'} (FERJE_WORKFLOW_THREADS=${threads})`, () => {
    let env: TestWorkflowEnvironment;
    let worker: Worker;
    let running: Promise<void>;
    const taskQueue = uniqueTaskQueue('stack-traces');

    before(async () => {
      env = await getTestEnv();
      const dir = mkdtempSync(path.join(tmpdir(), 'ferje-stack-traces-'));
      writeFileSync(path.join(dir, 'release'), '');
      const activities = createFixtureActivities(dir);
      const workerClass = sharedWorkflowRuntimeWorker({
        threads,
        activityNames: Object.keys(activities),
        ...(stackTraces ? {} : { stackTraces: false }),
      });
      const source = await fixtureWorkflowSource(path.join(fixturesDir, 'workflows'));
      worker = await createTestWorker({ env, taskQueue, activities, source, workerClass });
      running = worker.run();
    });
    after(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    it(
      stackTraces ? 'answers __stack_trace with where the workflow waits' : 'refuses __stack_trace, runs workflows',
      async () => {
        const handle = await env.client.workflow.start('awaitProceedWorkflow', {
          workflowId: `stack-traces-${taskQueue}`,
          taskQueue,
          args: [{ caseRef: 'C-1', personalIdentificationNumber: '01017012345' }],
        });
        assert.equal(await handle.query<string>('stage'), 'waiting');
        if (stackTraces) {
          const trace = await handle.query<string>('__stack_trace');
          assert.match(trace, /awaitProceedWorkflow/);
        } else {
          // The SDK registers no such query then (the message itself is encrypted by Ferje's failure codec).
          await assert.rejects(handle.query('__stack_trace'), { name: 'QueryNotRegisteredError' });
        }
        await handle.signal('proceed', { note: 'go' });
        assert.equal(await handle.result(), 'C-1: go');
      },
    );
  });
}
