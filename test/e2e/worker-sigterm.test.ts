import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startFlow } from '../../src/client/flows';
import { signatureOperationFlow, signatureOperationStateQuery } from '../../src/contract/signstash';
import { SignstashSimulator } from '../../src/simulators/signstash';
import { pdfDocuments, fastPolling, uniqueReference, waitFor } from '../workflows/signstash/harness';
import { testKeyEnv } from '../harness/keys';
import { spawnTs } from '../harness/processes';
import { createLocalTestEnv } from '../harness/temporal';

/**
 * The production worker entry point (`src/worker/main.ts`, NODE_ENV=production, prebuilt bundle) on its own dev
 * server, so it can poll the real task-queue names without meeting other tests' workflows.
 */
describe('production worker process: graceful SIGTERM', () => {
  it('drains and exits 0 on SIGTERM, and a successor finishes the in-flight workflow', async () => {
    const env = await createLocalTestEnv();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-sigterm-'));
    const sim = await SignstashSimulator.start({
      dataDir: path.join(dataDir, 'sim'),
      instances: 2,
      baseDelayMs: 4000,
      retryAfterSeconds: 1,
    });
    const workerEnv = {
      ...process.env,
      ...testKeyEnv(),
      ...sim.env(),
      ...fastPolling,
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      FERJE_DATA_DIR: dataDir,
      FERJE_WORKER_INTEGRATIONS: 'signstash',
      FERJE_SHUTDOWN_GRACE_TIME: '5s',
      FERJE_LOG_LEVEL: 'INFO',
    };
    const workers: ReturnType<typeof spawnTs>[] = [];
    try {
      const first = spawnTs('src/worker/main.ts', [], workerEnv);
      workers.push(first);
      await first.waitFor(/"msg":"workers running"/);
      const ref = uniqueReference('sigterm');
      const started = await startFlow(env.client, signatureOperationFlow, {
        clientServiceId: Object.keys(sim.clientServices())[0],
        externalReference: ref,
        description: 'Worker redeployed mid-operation',
        documents: pdfDocuments(ref, 2),
      });
      const handle = env.client.workflow.getHandle(started.workflowId);
      await waitFor(async () =>
        (await handle.query(signatureOperationStateQuery)).phase === 'polling' ? true : undefined,
      );

      const stopAt = Date.now();
      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0, first.output().slice(-2000));
      assert.ok(Date.now() - stopAt < 15_000, 'stopped within the grace time');
      assert.match(first.output(), /"msg":"workers stopped"/);

      const second = spawnTs('src/worker/main.ts', [], workerEnv);
      workers.push(second);
      const result = await started.result();
      assert.equal(result.status, 'EXECUTED');
      assert.equal(sim.stats().starts, 1, 'the operation was started once');
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await sim.stop();
      await env.teardown();
    }
  });
});
