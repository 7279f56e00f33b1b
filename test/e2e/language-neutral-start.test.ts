import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { startCodecServer } from '../../src/codec/codec-server';
import { createLogger } from '../../src/logging/logger';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { createFixtureActivities } from '../fixtures/activities';
import { proceedSignal } from '../fixtures/workflows';
import { testKeyRing } from '../harness/keys';
import { revealsMarker } from '../harness/plaintext';
import { getTestEnv } from '../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../harness/worker';

const run = promisify(execFile);
const MARKER = '13097248022';

describe('starting a Ferje workflow without TypeScript (temporal CLI + codec server)', () => {
  it('encrypts the JSON input through the codec server, and the worker runs it', async () => {
    const env = await getTestEnv();
    const codec = await startCodecServer({
      codec: new AesGcmPayloadCodec(testKeyRing()),
      host: '127.0.0.1',
      port: 0,
      corsOrigins: [],
      logger: createLogger('codec', 'ERROR'),
    });
    const taskQueue = uniqueTaskQueue('neutral');
    const worker = await createTestWorker({
      env,
      taskQueue,
      activities: createFixtureActivities(mkdtempSync(path.join(tmpdir(), 'ferje-neutral-'))),
      source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
    });
    const workflowId = `neutral-${Date.now()}`;
    const cli = locateTemporalBinary('cli').path;
    try {
      await worker.runUntil(async () => {
        // What a Java, .NET or Go team (or a shell script) runs: JSON in, the codec server encrypts it.
        await run(cli, [
          'workflow',
          'start',
          '--address',
          env.address,
          '--codec-endpoint',
          codec.url,
          '--type',
          'awaitProceedWorkflow',
          '--task-queue',
          taskQueue,
          '--workflow-id',
          workflowId,
          '--id-conflict-policy',
          'UseExisting',
          '--input',
          JSON.stringify({ caseRef: 'neutral-1', personalIdentificationNumber: MARKER }),
          '--search-attribute',
          'FerjeIntegration="signstash"',
        ]);
        const handle = env.client.workflow.getHandle(workflowId);
        await handle.signal(proceedSignal, { note: 'ok' });
        assert.equal(await handle.result(), 'neutral-1: ok');
      });
      const { stdout } = await run(cli, ['workflow', 'show', '--address', env.address, '-w', workflowId, '-o', 'json']);
      assert.equal(revealsMarker(stdout, MARKER), false, 'the server never saw the personal number');
      const decoded = await run(cli, [
        'workflow',
        'show',
        '--address',
        env.address,
        '--codec-endpoint',
        codec.url,
        '-w',
        workflowId,
        '-o',
        'json',
      ]);
      assert.ok(decoded.stdout.includes(MARKER) || revealsMarker(decoded.stdout, MARKER), 'readable with the codec');
    } finally {
      await codec.close();
    }
  });
});
