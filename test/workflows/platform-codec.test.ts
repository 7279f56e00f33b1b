import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { createFixtureActivities } from '../fixtures/activities';
import type { ledgerWorkflow } from '../fixtures/workflows';
import { revealsMarker } from '../harness/plaintext';
import { getTestEnv } from '../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../harness/worker';

// A syntactically valid Norwegian test personal number; what matters is that it never appears in plain text.
const MARKER = '13097248022';

describe('payload encryption end to end (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('codec');
  before(async () => {
    env = await getTestEnv();
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-codec-'));
    writeFileSync(path.join(dir, 'release'), '');
    worker = await createTestWorker({
      env,
      taskQueue,
      activities: createFixtureActivities(dir),
      source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
  });

  const exportWithCli = (workflowId: string): string =>
    execFileSync(
      locateTemporalBinary('cli').path,
      ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', env.address],
      { encoding: 'utf8' },
    );

  it('keeps a personal number out of the exported history, while the client still reads it', async () => {
    const workflowId = `codec-ok-${Date.now()}`;
    const result = await env.client.workflow.execute<typeof ledgerWorkflow>('ledgerWorkflow', {
      workflowId,
      taskQueue,
      args: [{ entryKey: 'e1', personalIdentificationNumber: MARKER }],
    });
    assert.equal(result.entryKey, 'e1');
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    assert.equal(revealsMarker(historyToJSON(history), MARKER), false, 'history from the SDK');
    assert.equal(
      revealsMarker(exportWithCli(workflowId), MARKER),
      false,
      'history exported by `temporal workflow show`',
    );
  });

  it('encrypts failure messages too (failure converter with encodeCommonAttributes)', async () => {
    const workflowId = `codec-fail-${Date.now()}`;
    const handle = await env.client.workflow.start<typeof ledgerWorkflow>('ledgerWorkflow', {
      workflowId,
      taskQueue,
      args: [{ entryKey: 'e2', personalIdentificationNumber: MARKER, failWithMarker: true }],
    });
    const err = await handle.result().then(
      () => assert.fail('workflow should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    // Decrypted on the client side: the information is not lost, only hidden from the server.
    assert.match(String((err.cause?.cause as Error | undefined)?.message), new RegExp(MARKER));
    assert.equal(revealsMarker(exportWithCli(workflowId), MARKER), false);
  });

  it('detects the marker when a client without the codec writes it (control for the check above)', async () => {
    const plainClient = new Client({ connection: env.connection });
    const workflowId = `codec-control-${Date.now()}`;
    await plainClient.workflow.start('ledgerWorkflow', {
      workflowId,
      taskQueue: `${taskQueue}-nobody-polls`,
      args: [{ entryKey: 'e3', personalIdentificationNumber: MARKER }],
    });
    assert.equal(revealsMarker(exportWithCli(workflowId), MARKER), true);
    await plainClient.workflow.getHandle(workflowId).terminate('control done');
  });
});
