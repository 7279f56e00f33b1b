import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ss12000StatusQuery, resourceTypes } from '../../src/contract/ss12000';
import { taskQueues } from '../../src/contract/task-queues';
import { Ss12000ApiClient } from '../../src/integrations/ss12000/api-client';
import { PageSyncer } from '../../src/integrations/ss12000/page-sync';
import { PostgresStore } from '../../src/integrations/ss12000/store/postgres-store';
import { SqliteStore } from '../../src/integrations/ss12000/store/sqlite-store';
import type { Ss12000Store } from '../../src/integrations/ss12000/store/store';
import { FetchedTokenProvider } from '../../src/integrations/ss12000/token-provider';
import { EntityValidator } from '../../src/integrations/ss12000/validation';
import { createLogger, type Logger } from '../../src/logging/logger';
import { Ss12000Simulator } from '../../src/simulators/ss12000/server';
import { startPostgres } from '../../test/harness/postgres';
import { createLocalTestEnv } from '../../test/harness/temporal';
import { ensureBuild, spawnWorker } from '../scale/worker';
import { median } from '../common/median';
import { passTimeline } from './pass-timeline';

/** Where a run keeps its data: the embedded SQLite file, or a Postgres database (the shared store). */
interface StoreUnderTest {
  open(options?: { readOnly?: boolean }): Promise<Ss12000Store>;
  /**
   * The plain loop's own, equally empty store (another file or database): in the one Ferje writes to, the loop's rows
   * would make Ferje's inserts land in a B-tree twice the size, which is slower the larger it gets (SQLite's page cache
   * is 2 MB), and the comparison would no longer be of the same work.
   */
  openBaseline(): Promise<Ss12000Store>;
  /** How the worker process is pointed at the store. */
  env: Record<string, string>;
}

interface RunContext {
  sim: Ss12000Simulator;
  tenant: ReturnType<Ss12000Simulator['addTenant']>;
  env: Awaited<ReturnType<typeof createLocalTestEnv>>;
  dataDir: string;
  pageLimit: number;
  entities: number;
  logger: Logger;
  /** Run the plain loop first (off only to iterate on the worker's figures faster). */
  baseline: boolean;
  /** Baseline-then-Ferje rounds; the figures are their medians. */
  rounds: number;
  /** The worker requests a step's next page while it stores this one (SS12000_READ_AHEAD; off for an A/B). */
  readAhead: boolean;
}

/** The plain fetch-validate-upsert-report loop without Temporal, on its own huvudman reference; its seconds. */
async function runBaseline(store: StoreUnderTest, huvudman: string, run: RunContext): Promise<number> {
  const { sim, pageLimit, logger } = run;
  const baselineStore = await store.openBaseline();
  const syncer = new PageSyncer({
    client: new Ss12000ApiClient({
      baseUrl: sim.baseUrl('bench'),
      tokens: new FetchedTokenProvider({ url: `${sim.url}/transaction`, clientKey: 'bench' }),
    }),
    validator: new EntityValidator(),
    store: baselineStore,
    reportConcurrency: 8,
    logger,
  });
  const baselineStart = performance.now();
  for (const step of resourceTypes) {
    let pageToken: string | undefined;
    do {
      const counts = await syncer.syncPage({
        huvudman: `${huvudman}-baseline`,
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
  await baselineStore.close();
  return baselineSeconds;
}

/** One full sync through Ferje: a subscription workflow for `huvudman`, timed until it has recorded its first pass. */
async function ferjePass(huvudman: string, run: RunContext) {
  const { sim, tenant, env, pageLimit } = run;
  const workflowId = `ss12000-subscription/${huvudman}`;
  const getsBefore = tenant.requests.filter((r) => r.method === 'GET').length;
  const started = performance.now();
  const handle = await env.client.workflow.start('ss12000SubscriptionWorkflow', {
    workflowId,
    taskQueue: taskQueues.ss12000,
    args: [
      {
        huvudman,
        organisationId: tenant.organisationId,
        apiBaseUrl: sim.baseUrl('bench'),
        options: { pageLimit, webhookQuietSeconds: 0 },
      },
    ],
  });
  // Waits without asking the worker: a query every 100 ms is work for the worker being measured (each one an
  // activation of the subscription workflow). The pass's result is a long poll on the server; after it, a few queries
  // see the subscription record the pass.
  const pass = env.client.workflow.getHandle(`${workflowId}/pass-1`);
  for (;;) {
    if (
      await pass.describe().then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await pass.result();
  for (;;) {
    const s = await handle.query(ss12000StatusQuery).catch(() => undefined);
    if (s?.lastPass && s.currentPass === undefined) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - started) / 1000;
  const status = await handle.query(ss12000StatusQuery);
  const subscriptionEvents = (await handle.fetchHistory()).events!;
  const passEvents = (await pass.fetchHistory()).events!;
  await handle.cancel();
  await handle.result().catch(() => undefined);
  const timeline = passTimeline(subscriptionEvents, passEvents);
  const gets = tenant.requests.filter((r) => r.method === 'GET').length - getsBefore;
  return {
    seconds,
    // 1.0: every page one GET (a page fetched ahead and not used would show above it).
    listGetsPerPage: Number((gets / timeline.pages).toFixed(3)),
    passOutcome: status.lastPass?.outcome,
    historyEvents: subscriptionEvents.length + passEvents.length,
    timeline,
  };
}

/**
 * One store: Ferje's production worker in its own process (RSS sampled from /proc), and `rounds` times the plain
 * fetch-validate-upsert-report loop without Temporal (the baseline) followed by a full sync through Ferje, each round
 * as its own huvudman reference. Both sides are warm after the first round, as a long-running worker is; the figures
 * are the medians of the rounds, so one slow round (the machine is shared) does not decide the ratio.
 */
async function runOn(store: StoreUnderTest, huvudman: string, run: RunContext) {
  const { sim, tenant, env, dataDir, entities } = run;
  const ferjeEnv: Record<string, string> = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    FERJE_DATA_DIR: dataDir,
    SS12000_TOKEN_URL: `${sim.url}/transaction`,
    SS12000_WEBHOOK_SECRET: 'bench-secret-for-ss12000-webhook-targets-0123456789',
    SS12000_API_ALLOWED_URLS: `${sim.url}/hm/`,
    ...store.env,
    // A production worker (bin/ferje worker, the prebuilt bundle, its process settings) serving SS12000 only, as
    // docker-compose's worker-ss12000 service runs one.
    FERJE_WORKER_INTEGRATIONS: 'ss12000',
    SS12000_READ_AHEAD: String(run.readAhead),
  };
  const worker = await spawnWorker({ dir: dataDir, env: ferjeEnv });
  const rounds: { baselineSeconds?: number; ferje: Awaited<ReturnType<typeof ferjePass>>; invalidLogged: number }[] =
    [];
  let lastHuvudman = huvudman;
  for (let round = 1; round <= run.rounds; round++) {
    lastHuvudman = run.rounds === 1 ? huvudman : `${huvudman}-${round}`;
    const baselineSeconds = run.baseline ? await runBaseline(store, lastHuvudman, run) : undefined;
    const logsBefore = tenant.logs.length;
    const ferje = await ferjePass(lastHuvudman, run);
    rounds.push({ baselineSeconds, ferje, invalidLogged: tenant.logs.length - logsBefore });
  }
  const workerPeakRssMb = worker.peakRssMb();
  await worker.stop();
  const readStore = await store.open({ readOnly: true });
  const stored = (await readStore.summary(lastHuvudman)).reduce((n, r) => n + r.stored, 0);
  await readStore.close();
  const last = rounds[rounds.length - 1];
  const seconds = median(rounds.map((r) => r.ferje.seconds));
  const baselineSeconds = run.baseline ? median(rounds.map((r) => r.baselineSeconds!)) : undefined;
  const twoDecimals = (x: number) => Number(x.toFixed(2));
  return {
    stored,
    invalidLogged: last.invalidLogged,
    passOutcome: last.ferje.passOutcome,
    seconds: twoDecimals(seconds),
    entitiesPerSecond: Math.round(entities / seconds),
    ...(baselineSeconds === undefined
      ? {}
      : {
          baselineEntitiesPerSecond: Math.round(entities / baselineSeconds),
          ratioToBaseline: twoDecimals(baselineSeconds / seconds),
        }),
    workerPeakRssMb: Math.round(workerPeakRssMb),
    historyEvents: last.ferje.historyEvents,
    readAhead: run.readAhead,
    listGetsPerPage: last.ferje.listGetsPerPage,
    rounds: run.rounds,
    secondsEachRound: rounds.map((r) => twoDecimals(r.ferje.seconds)),
    ...(run.baseline ? { baselineSecondsEachRound: rounds.map((r) => twoDecimals(r.baselineSeconds!)) } : {}),
    timeline: last.ferje.timeline,
  };
}

/**
 * Full sync of a generated huvudman through Ferje (production worker in its own process, real dev server) and, in
 * the same run against the same simulator and store, a plain fetch-validate-upsert-report loop without Temporal;
 * first on the embedded SQLite store (the top-level fields), then on Postgres 15 (`postgres`: the same fields, a
 * throwaway server with fsync on). Prints one JSON line. `--scale 0.2` shrinks every count (to show memory does not
 * grow with data size); `--stores sqlite` skips Postgres.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '1' },
      'page-limit': { type: 'string', default: '2500' },
      stores: { type: 'string', default: 'sqlite,postgres' },
      'no-baseline': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '3' },
      'no-read-ahead': { type: 'boolean', default: false },
      // A huvudman API across a network rather than on loopback: every request to it waits this long first.
      'latency-ms': { type: 'string', default: '0' },
    },
  });
  // The worker runs the compiled CLI and the prebuilt bundle (dist/): built here unless SCALE_SKIP_BUILD=1.
  ensureBuild();
  const scale = Number(values.scale);
  const pageLimit = Number(values['page-limit']);
  const stores = values.stores.split(',');
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
  const sim = await new Ss12000Simulator({ logger }).start();
  const latencyMs = Number(values['latency-ms']);
  const tenant = sim.addTenant({
    name: 'bench',
    organisationId: 'SE2120000001',
    size,
    invalidShare: 0.01,
    seed: 1,
    ...(latencyMs > 0 ? { latencyMs } : {}),
  });
  const env = await createLocalTestEnv();
  const postgres = stores.includes('postgres') ? await startPostgres({ durable: true }) : undefined;
  try {
    const run: RunContext = {
      sim,
      tenant,
      env,
      dataDir,
      pageLimit,
      entities,
      logger,
      baseline: !values['no-baseline'],
      rounds: Number(values.rounds),
      readAhead: !values['no-read-ahead'],
    };
    const storePath = path.join(dataDir, 'store.sqlite');
    const sqlite = stores.includes('sqlite')
      ? await runOn(
          {
            open: (options) => SqliteStore.open(storePath, options),
            openBaseline: () => SqliteStore.open(path.join(dataDir, 'baseline.sqlite')),
            env: { SS12000_STORE_PATH: storePath },
          },
          'bench',
          run,
        )
      : undefined;
    let onPostgres: Awaited<ReturnType<typeof runOn>> | undefined;
    if (postgres) {
      const url = await postgres.createDatabase('ss12000_bench');
      const baselineUrl = await postgres.createDatabase('ss12000_bench_baseline');
      onPostgres = await runOn(
        {
          open: (options) => PostgresStore.open(url, options),
          openBaseline: () => PostgresStore.open(baselineUrl),
          env: { FERJE_SS12000_STORE: url },
        },
        'bench-postgres',
        run,
      );
    }
    console.log(
      JSON.stringify({
        entities,
        pageLimit,
        latencyMs,
        ...sqlite,
        ...(onPostgres ? { postgres: onPostgres } : {}),
      }),
    );
  } finally {
    await postgres?.stop();
    await sim.stop();
    await env.teardown();
    // The stores of a 1x run take 1-2 GB: left behind, a few runs filled the disk (and a later test run hung on it).
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
