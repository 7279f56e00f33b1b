import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
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
import { fastPolling, pdfDocuments, uniqueReference, waitFor } from './harness';

function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'worker-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    child.stdout.on('data', (data: Buffer) => {
      if (data.toString().includes('ready')) resolve(child);
    });
  });
}

describe("Sign'Stash: worker killed while polling (separate worker processes, real dev server)", () => {
  let env: TestWorkflowEnvironment;
  let sim: SignstashSimulator;
  const children: ChildProcess[] = [];
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
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sim.stop();
  });

  it('resumes polling the same instance after the worker process dies, without a second start', async () => {
    const taskQueue = uniqueTaskQueue('signstash-kill');
    const workerEnv = {
      ...sim.env(),
      ...fastPolling,
      WORKER_ADDRESS: env.address,
      WORKER_TASK_QUEUE: taskQueue,
      FERJE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ferje-signstash-kill-data-')),
    };
    const first = await startWorkerProcess(workerEnv);
    children.push(first);
    const ref = uniqueReference('killed');
    const started = await startFlow(
      env.client,
      { ...signatureOperationFlow, taskQueue },
      {
        clientServiceId: Object.keys(sim.clientServices())[0],
        externalReference: ref,
        description: 'Worker dies mid-operation',
        documents: pdfDocuments(ref, 2),
      },
    );
    const handle = env.client.workflow.getHandle(started.workflowId);
    const polling = await waitFor(async () => {
      const s = await handle.query(signatureOperationStateQuery);
      return s.phase === 'polling' && s.statusChecks >= 1 ? s : undefined;
    });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const second = await startWorkerProcess(workerEnv);
    children.push(second);
    const result = await started.result();
    second.kill('SIGTERM');
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.placement.operationId, polling.placement!.operationId);
    assert.equal(result.placement.port, polling.placement!.port);
    const stats = sim.stats();
    assert.equal(stats.starts, 1, 'one operation, started once');
    assert.equal(stats.wrongInstanceCalls, 0);
    assert.ok(stats.tokenRequests >= 2, 'the new process fetched its own token');
    await recordHistory(env.client, started.workflowId, 'signstash-worker-killed');
  });
});
