import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startFlow } from '../../../src/client/flows';
import { signatureOperationFlow, signatureOperationStateQuery } from '../../../src/contract/signstash';
import { SignstashSimulator } from '../../../src/simulators/signstash';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { uniqueTaskQueue } from '../../harness/worker';
import { spawnWorkerProcess, type SpawnedWorker } from '../../harness/worker-process';
import { fastPolling, pdfDocuments, uniqueReference, waitFor } from './harness';

const WORKER_ENTRY = 'test/workflows/signstash/worker-process.ts';

/**
 * Recovery after a crash, measured from the moment the new worker polls to the flow's next progress. Bounded by the
 * activities' heartbeat timeout (30 s, workflows/common/activity-profiles) plus one retry interval, not by their
 * start-to-close timeouts (15 minutes for a start before heartbeats).
 */
const MAX_RECOVERY_MS = 50_000;

describe("Sign'Stash: worker killed mid-operation (separate worker processes, real dev server)", () => {
  let env: TestWorkflowEnvironment;
  let sim: SignstashSimulator;
  const workers: SpawnedWorker[] = [];
  before(async () => {
    env = await getTestEnv();
    sim = await SignstashSimulator.start({
      dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-signstash-kill-')),
      instances: 2,
      baseDelayMs: 5000,
      retryAfterSeconds: 1,
    });
  });
  after(async () => {
    for (const worker of workers) await worker.killHard();
    await sim.stop();
  });

  async function rig(label: string) {
    const taskQueue = uniqueTaskQueue(`signstash-${label}`);
    const workerEnv = {
      ...sim.env(),
      ...fastPolling,
      WORKER_ADDRESS: env.address,
      WORKER_TASK_QUEUE: taskQueue,
      FERJE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ferje-signstash-kill-data-')),
    };
    const spawn = async (): Promise<SpawnedWorker> => {
      const worker = await spawnWorkerProcess(WORKER_ENTRY, workerEnv);
      workers.push(worker);
      return worker;
    };
    const ref = uniqueReference(label);
    const first = await spawn();
    const started = await startFlow(
      env.client,
      signatureOperationFlow,
      {
        clientServiceId: Object.keys(sim.clientServices())[0],
        externalReference: ref,
        description: 'Worker dies mid-operation',
        documents: pdfDocuments(ref, 2),
      },
      { taskQueue },
    );
    return { first, spawn, started, handle: env.client.workflow.getHandle(started.workflowId) };
  }

  it('resumes polling the same instance after the worker process dies, without a second start', async () => {
    const startsBefore = sim.stats().starts;
    const { first, spawn, started, handle } = await rig('killed');
    const polling = await waitFor(async () => {
      const s = await handle.query(signatureOperationStateQuery);
      return s.phase === 'polling' && s.statusChecks >= 1 ? s : undefined;
    });
    await first.killHard();
    const second = await spawn();
    const progressed = await waitFor(async () => {
      const s = await handle.query(signatureOperationStateQuery);
      return s.statusChecks > polling.statusChecks || s.phase === 'completed' ? Date.now() : undefined;
    }, 120_000);
    const result = await started.result();
    await second.stop();
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.placement.operationId, polling.placement!.operationId);
    assert.equal(result.placement.port, polling.placement!.port);
    const recoveryMs = progressed - second.readyAtMs;
    assert.ok(recoveryMs < MAX_RECOVERY_MS, `recovered ${recoveryMs} ms after the new worker polled`);
    const stats = sim.stats();
    assert.equal(stats.starts - startsBefore, 1, 'one operation, started once');
    assert.equal(stats.wrongInstanceCalls, 0);
    assert.ok(stats.tokenRequests >= 2, 'the new process fetched its own token');
    await recordHistory(env.client, started.workflowId, 'signstash-worker-killed');
  });

  it('notices a worker killed during the start within the heartbeat timeout and adopts the operation it created', async () => {
    // Every instance answers its next request 4 s late, so the start is in flight when the worker dies.
    for (const instance of sim.instances) instance.injectFaults('accept-then-stall', 1);
    const startsBefore = sim.stats().starts;
    const { first, spawn, started, handle } = await rig('killed-start');
    await waitFor(() => (sim.stats().starts > startsBefore ? true : undefined), 60_000);
    const submitting = await handle.query(signatureOperationStateQuery);
    assert.equal(submitting.phase, 'submitting', 'the start was in flight when the worker died');
    await first.killHard();
    const second = await spawn();
    const progressed = await waitFor(async () => {
      const s = await handle.query(signatureOperationStateQuery);
      return s.placement ? Date.now() : undefined;
    }, 120_000);
    const recoveryMs = progressed - second.readyAtMs;
    const result = await started.result();
    await second.stop();
    for (const instance of sim.instances) instance.clearFaults();
    assert.equal(result.status, 'EXECUTED');
    assert.ok(recoveryMs < MAX_RECOVERY_MS, `recovered ${recoveryMs} ms after the new worker polled`);
    assert.equal(sim.stats().starts - startsBefore, 1, 'the retried start adopted the operation: no second one');
    await recordHistory(env.client, started.workflowId, 'signstash-worker-killed-in-start');
    console.log(`# recovery after a kill during the start: ${recoveryMs} ms from worker ready to the next progress`);
  });
});
