import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { ThreadedVMWorkflowCreator } from '@temporalio/worker/lib/workflow/threaded-vm';
import { sharedWorkflowRuntimeWorker } from '../../src/worker/shared-workflow-runtime';
import { createFixtureActivities } from '../fixtures/activities';
import type { LedgerResult } from '../fixtures/workflows';
import { getTestEnv } from '../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../harness/worker';

/** Counts how often the SDK builds a workflow runtime (a thread pool or a main-thread context). */
function countRuntimes(): { threaded: number; mainThread: number; restore(): void } {
  const counts = { threaded: 0, mainThread: 0, restore };
  // Called back with their own class as `this` (apply below), as the SDK calls them.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const threaded = ThreadedVMWorkflowCreator.create;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const reusable = ReusableVMWorkflowCreator.create;
  ThreadedVMWorkflowCreator.create = function (this: typeof ThreadedVMWorkflowCreator, ...args) {
    counts.threaded++;
    return threaded.apply(this, args);
  };
  ReusableVMWorkflowCreator.create = function (this: typeof ReusableVMWorkflowCreator, ...args) {
    counts.mainThread++;
    return reusable.apply(this, args);
  } as typeof ReusableVMWorkflowCreator.create;
  function restore(): void {
    ThreadedVMWorkflowCreator.create = threaded;
    ReusableVMWorkflowCreator.create = reusable;
  }
  return counts;
}

for (const threads of [1, 0]) {
  describe(`one workflow runtime for every task queue of a process (FERJE_WORKFLOW_THREADS=${threads})`, () => {
    let env: TestWorkflowEnvironment;
    let activities: object;
    const queues = [0, 1, 2].map(() => uniqueTaskQueue('shared-runtime'));
    const workers: Worker[] = [];
    const running: Promise<void>[] = [];
    let runtimes: ReturnType<typeof countRuntimes>;

    before(async () => {
      env = await getTestEnv();
      const dir = mkdtempSync(path.join(tmpdir(), 'ferje-shared-runtime-'));
      writeFileSync(path.join(dir, 'release'), '');
      activities = createFixtureActivities(dir);
      runtimes = countRuntimes();
      const workerClass = sharedWorkflowRuntimeWorker({ threads, activityNames: Object.keys(activities) });
      const source = await fixtureWorkflowSource(path.join(fixturesDir, 'workflows'));
      for (const taskQueue of queues) {
        const worker = await createTestWorker({ env, taskQueue, activities, source, workerClass });
        workers.push(worker);
        running.push(worker.run());
      }
    });
    after(async () => {
      runtimes.restore();
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all(running);
    });

    const ledger = (taskQueue: string, key: string): Promise<LedgerResult> =>
      env.client.workflow.execute('ledgerWorkflow', {
        workflowId: `shared-runtime-${key}`,
        taskQueue,
        args: [{ entryKey: key }],
      });

    it('runs every queue’s workflows in the one runtime it built', async () => {
      const results = await Promise.all(queues.map((q, i) => ledger(q, `${q}-${i}`)));
      assert.deepEqual(
        results.map((r) => r.attempts),
        [1, 1, 1],
      );
      assert.equal(threads === 0 ? runtimes.mainThread : runtimes.threaded, 1, 'one runtime for three workers');
      assert.equal(threads === 0 ? runtimes.threaded : runtimes.mainThread, 0);
    });

    it('keeps the runtime while any worker still uses it', async () => {
      workers[0].shutdown();
      await running[0];
      const result = await ledger(queues[1], `${queues[1]}-after-first-stopped`);
      assert.equal(result.attempts, 1, 'the other queues still run workflows after one worker stopped');
    });
  });
}
