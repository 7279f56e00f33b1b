import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createFixtureActivities } from '../fixtures/activities';
import type { awaitProceedWorkflow, ledgerWorkflow } from '../fixtures/workflows';
import { runFerjeCli, waitUntil } from '../harness/processes';
import { getTestEnv } from '../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../harness/worker';

const MARKER = '13097248022';

describe('ferje describe / cancel (CLI in a separate process)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('cli');
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-cli-'));

  before(async () => {
    env = await getTestEnv();
    worker = await createTestWorker({
      env,
      taskQueue,
      activities: createFixtureActivities(dir),
      source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
    });
    running = worker.run();
  });
  after(async () => {
    writeFileSync(path.join(dir, 'release'), '');
    worker.shutdown();
    await running;
  });

  const ferje = (...args: string[]) => runFerjeCli(env.address, args);

  it('describes a running workflow: status, current details and the pending activity', async () => {
    const workflowId = `cli-running-${Date.now()}`;
    await env.client.workflow.start<typeof ledgerWorkflow>('ledgerWorkflow', {
      workflowId,
      taskQueue,
      args: [{ entryKey: 'held', personalIdentificationNumber: MARKER }],
      staticSummary: 'Ledger entry held by the test',
    });
    await waitUntil(
      async () => ((await env.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? []).length > 0,
      20_000,
      'pending activity',
    );
    const { code, output } = await ferje('describe', workflowId);
    assert.equal(code, 0, output);
    assert.match(output, /Status\s+RUNNING/);
    assert.match(output, /Summary\s+Ledger entry held by the test/);
    assert.match(output, /Recording entry \*\*held\*\*/);
    assert.match(output, /Pending\s+holdThenRecord\s+STARTED\s+attempt 1/);
    assert.ok(!output.includes(MARKER));
  });

  it('explains a failed workflow in words, decrypting the failure with the key', async () => {
    const workflowId = `cli-failed-${Date.now()}`;
    const handle = await env.client.workflow.start<typeof ledgerWorkflow>('ledgerWorkflow', {
      workflowId,
      taskQueue,
      args: [{ entryKey: 'f', personalIdentificationNumber: 'NOT-A-PIN', failWithMarker: true }],
    });
    await handle.result().catch(() => undefined);
    const { code, output } = await ferje('describe', workflowId, '--json');
    assert.equal(code, 0, output);
    const report = JSON.parse(output) as { status: string; failure: string };
    assert.equal(report.status, 'FAILED');
    assert.match(report.failure, /activity failWith failed: cannot process NOT-A-PIN \[FixtureFailure\]/);
  });

  it('cancels a workflow', async () => {
    const workflowId = `cli-cancel-${Date.now()}`;
    const handle = await env.client.workflow.start<typeof awaitProceedWorkflow>('awaitProceedWorkflow', {
      workflowId,
      taskQueue,
      args: [{ caseRef: 'c', personalIdentificationNumber: MARKER }],
    });
    const { code, output } = await ferje('cancel', workflowId);
    assert.equal(code, 0, output);
    await assert.rejects(handle.result(), /cancel/i);
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
  });

  it('refuses unknown flows and missing arguments with usage', async () => {
    const unknown = await ferje('start', 'no-such-flow', '--input', '/dev/null');
    assert.equal(unknown.code, 2);
    assert.match(unknown.output, /Unknown flow "no-such-flow"/);
    const missing = await ferje('describe');
    assert.equal(missing.code, 2);
  });
});
