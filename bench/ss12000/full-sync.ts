import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ss12000StatusQuery, resourceTypes } from '../../src/contract/ss12000';
import { taskQueues } from '../../src/contract/task-queues';
import { Ss12000ApiClient } from '../../src/integrations/ss12000/api-client';
import { PageSyncer } from '../../src/integrations/ss12000/page-sync';
import { SqliteStore } from '../../src/integrations/ss12000/store/sqlite-store';
import { FetchedTokenProvider } from '../../src/integrations/ss12000/token-provider';
import { EntityValidator } from '../../src/integrations/ss12000/validation';
import { createLogger } from '../../src/logging/logger';
import { Ss12000Simulator } from '../../src/simulators/ss12000/server';
import { defaultBundlePath } from '../../src/worker/bundle';
import { createLocalTestEnv } from '../../test/harness/temporal';
import { killHard, spawnSs12000Worker } from '../../test/workflows/ss12000/harness';

/**
 * Full sync of a generated huvudman through Ferje (production worker in its own process, real dev server) and, in
 * the same run against the same simulator and store, a plain fetch-validate-upsert-report loop without Temporal.
 * Prints one JSON line. `--scale 0.2` shrinks every count (to show memory does not grow with data size).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scale: { type: 'string', default: '1' }, 'page-limit': { type: 'string', default: '2500' } },
  });
  const scale = Number(values.scale);
  const pageLimit = Number(values['page-limit']);
  const size = {
    organisations: Math.round(200 * scale),
    persons: Math.round(100_000 * scale),
    groups: Math.round(5000 * scale),
    duties: Math.round(20_000 * scale),
    activities: Math.round(10_000 * scale),
  };
  const entities = Object.values(size).reduce((a, b) => a + b, 0);
  const logger = createLogger('bench', 'ERROR', () => undefined);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-ss12000-bench-'));
  const storePath = path.join(dataDir, 'store.sqlite');
  const sim = await new Ss12000Simulator({ logger }).start();
  const tenant = sim.addTenant({ name: 'bench', organisationId: 'SE2120000001', size, invalidShare: 0.01, seed: 1 });
  const env = await createLocalTestEnv();
  try {
    // Baseline: the same page work (GET, validate, upsert, report) in a plain loop.
    const store = await SqliteStore.open(storePath);
    const syncer = new PageSyncer({
      client: new Ss12000ApiClient({
        baseUrl: sim.baseUrl('bench'),
        tokens: new FetchedTokenProvider({ url: `${sim.url}/transaction`, clientKey: 'bench' }),
      }),
      validator: new EntityValidator(),
      store,
      reportConcurrency: 8,
      logger,
    });
    const baselineStart = performance.now();
    for (const step of resourceTypes) {
      let pageToken: string | undefined;
      do {
        const counts = await syncer.syncPage({
          huvudman: 'baseline',
          step,
          pageToken,
          limit: pageLimit,
          keptTypes: [...resourceTypes],
        });
        pageToken = counts.nextPageToken;
        if (process.env.BENCH_DEBUG) console.error(step, counts.fetched, pageToken?.length);
      } while (pageToken);
    }
    const baselineSeconds = (performance.now() - baselineStart) / 1000;
    await store.close();
    const logsAfterBaseline = tenant.logs.length;

    // Ferje: the production worker in its own process; RSS sampled from /proc.
    const ferjeEnv: Record<string, string> = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      FERJE_DATA_DIR: dataDir,
      SS12000_TOKEN_URL: `${sim.url}/transaction`,
      SS12000_STORE_PATH: storePath,
      SS12000_API_ALLOWED_URLS: `${sim.url}/hm/`,
      SS12000_WEBHOOK_SECRET: 'bench-secret-for-ss12000-webhook-targets-0123456789',
      ...(existsSync(defaultBundlePath) ? { FERJE_WORKFLOW_BUNDLE: defaultBundlePath, NODE_ENV: 'production' } : {}),
    };
    const worker = await spawnSs12000Worker(ferjeEnv);
    let peakRssKb = 0;
    const sample = (): void => {
      try {
        const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.child.pid}/status`, 'utf8'));
        if (m) peakRssKb = Math.max(peakRssKb, Number(m[1]));
      } catch {
        // The process may be gone at the very end.
      }
    };
    const sampler = setInterval(sample, 100);
    const workflowId = 'ss12000-subscription/bench';
    const started = performance.now();
    const handle = await env.client.workflow.start('ss12000SubscriptionWorkflow', {
      workflowId,
      taskQueue: taskQueues.ss12000,
      args: [
        {
          huvudman: 'bench',
          organisationId: tenant.organisationId,
          apiBaseUrl: sim.baseUrl('bench'),
          options: { pageLimit, webhookQuietSeconds: 0 },
        },
      ],
    });
    for (;;) {
      const s = await handle.query(ss12000StatusQuery).catch(() => undefined);
      if (s?.lastPass && s.currentPass === undefined) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    sample();
    const status = await handle.query(ss12000StatusQuery);
    const historyEvents =
      (await handle.fetchHistory()).events!.length +
      (await env.client.workflow.getHandle(`${workflowId}/pass-1`).fetchHistory()).events!.length;
    await handle.cancel();
    await handle.result().catch(() => undefined);
    await killHard(worker);
    const readStore = await SqliteStore.open(storePath, { readOnly: true });
    const stored = (await readStore.summary('bench')).reduce((n, r) => n + r.stored, 0);
    await readStore.close();
    console.log(
      JSON.stringify({
        entities,
        stored,
        invalidLogged: tenant.logs.length - logsAfterBaseline,
        passOutcome: status.lastPass?.outcome,
        pageLimit,
        seconds: Number(seconds.toFixed(2)),
        entitiesPerSecond: Math.round(entities / seconds),
        baselineEntitiesPerSecond: Math.round(entities / baselineSeconds),
        ratioToBaseline: Number((baselineSeconds / seconds).toFixed(2)),
        workerPeakRssMb: Math.round(peakRssKb / 1024),
        historyEvents,
      }),
    );
  } finally {
    await sim.stop();
    await env.teardown();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
