import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ledgerWorkflow } from '../fixtures/workflows';
import { spawnTs, waitUntil } from '../harness/processes';
import { getTestEnv } from '../harness/temporal';
import { uniqueTaskQueue } from '../harness/worker';

describe('worker killed with SIGKILL while an activity is in flight', () => {
  it('is replaced by a new worker and the workflow completes exactly once', async () => {
    const env = await getTestEnv();
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-kill-'));
    const taskQueue = uniqueTaskQueue('kill');
    const workerEnv = { ...process.env, FIXTURE_ADDRESS: env.address, FIXTURE_TASK_QUEUE: taskQueue, FIXTURE_DIR: dir };

    const first = spawnTs('test/fixtures/worker-process.ts', [], workerEnv);
    await first.waitFor(/^ready$/m);
    const workflowId = `kill-${Date.now()}`;
    const handle = await env.client.workflow.start<typeof ledgerWorkflow>('ledgerWorkflow', {
      workflowId,
      taskQueue,
      args: [{ entryKey: 'only-once' }],
    });
    await waitUntil(() => existsSync(path.join(dir, 'started-only-once')), 30_000, 'the activity to start');
    assert.equal(readFileSync(path.join(dir, 'started-only-once'), 'utf8'), String(first.child.pid));

    first.child.kill('SIGKILL');
    assert.equal(await first.exited, null, 'killed by a signal, not exited');

    const second = spawnTs('test/fixtures/worker-process.ts', [], workerEnv);
    try {
      await second.waitFor(/^ready$/m);
      writeFileSync(path.join(dir, 'release'), '');
      const result = await handle.result();

      // The retry ran on the new worker after the heartbeat timeout revealed the dead one.
      assert.equal(result.attempts, 2);
      assert.equal(readFileSync(path.join(dir, 'started-only-once'), 'utf8'), String(second.child.pid));
      assert.deepEqual(readFileSync(path.join(dir, 'ledger'), 'utf8').split('\n').filter(Boolean), ['only-once']);

      const description = await handle.describe();
      assert.equal(description.status.name, 'COMPLETED');
      const runs = [];
      for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
      assert.equal(runs.length, 1, 'exactly one execution');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
