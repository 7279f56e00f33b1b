import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { startTemporalDevServer, type RunningDevServer } from '../../src/dev/temporal-dev-server';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { createFerjeWorker } from '../../src/worker/workers';
import { createFixtureActivities } from '../fixtures/activities';
import { proceedSignal, stageQuery, type awaitProceedWorkflow } from '../fixtures/workflows';
import { testKeyRing } from '../harness/keys';
import { freePort } from '../harness/ports';
import { fixtureWorkflowSource, fixturesDir } from '../harness/worker';

/** One "stack": the dev server on a persistent database plus a worker, as `ferje dev` runs them. */
async function startStack(dbFilename: string, port: number, uiPort: number, taskQueue: string, dir: string) {
  const server: RunningDevServer = await startTemporalDevServer({
    cliPath: locateTemporalBinary('cli').path,
    dbFilename,
    ip: '127.0.0.1',
    port,
    uiPort,
    namespace: 'default',
    logFile: path.join(dir, 'dev-server.log'),
  });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createFerjeWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createFixtureActivities(dir),
    source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
    keyRing: testKeyRing(),
    shutdownGraceTime: '2s',
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, dataConverter: ferjeDataConverter(testKeyRing()) });
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await server.stop();
    },
  };
}

describe('the whole stack restarted under a running workflow', () => {
  it('keeps the workflow, which then completes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-restart-'));
    const db = path.join(dir, 'temporal', 'dev.db');
    const [port, uiPort] = [await freePort(), await freePort()];
    const taskQueue = 'restart-fixture';
    const workflowId = `restart-${Date.now()}`;

    const before = await startStack(db, port, uiPort, taskQueue, dir);
    let runId: string;
    try {
      const handle = await before.client.workflow.start<typeof awaitProceedWorkflow>('awaitProceedWorkflow', {
        workflowId,
        taskQueue,
        args: [{ caseRef: 'case-7', personalIdentificationNumber: '13097248022' }],
      });
      runId = handle.firstExecutionRunId;
      assert.equal(await handle.query(stageQuery), 'waiting');
    } finally {
      await before.stop();
    }

    const after = await startStack(db, port, uiPort, taskQueue, dir);
    try {
      const handle = after.client.workflow.getHandle(workflowId);
      const description = await handle.describe();
      assert.equal(description.runId, runId, 'the same execution survived the restart');
      assert.equal(description.status.name, 'RUNNING');
      await handle.signal(proceedSignal, { note: 'after restart' });
      assert.equal(await handle.result(), 'case-7: after restart');
    } finally {
      await after.stop();
    }
  });
});
