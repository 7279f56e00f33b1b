import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createSs12000Activities } from '../../../activities/ss12000';
import { FsBlobStore } from '../../../src/blobs/fs-blob-store';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import {
  ss12000StatusQuery,
  ss12000SubscriptionWorkflowId,
  type Ss12000SubscriptionInput,
  type Ss12000SubscriptionStatus,
} from '../../../src/contract/ss12000';
import { startIngress, type RunningIngress } from '../../../src/ingress/server';
import { ss12000Module } from '../../../src/modules/ss12000/module';
import { SqliteStore } from '../../../src/integrations/ss12000/store/sqlite-store';
import { createLogger } from '../../../src/logging/logger';
import type { IntegrationContext } from '../../../src/platform/integration';
import { Ss12000Simulator } from '../../../src/simulators/ss12000/server';
import type { HuvudmanSize } from '../../../src/simulators/ss12000/generator';
import type { Tenant, TenantOptions } from '../../../src/simulators/ss12000/tenant';
import { spawnTs, type ChildHandle } from '../../harness/processes';
import { testKeyEnv } from '../../harness/keys';
import { createTestWorker, uniqueTaskQueue } from '../../harness/worker';

/**
 * Everything an SS12000 workflow test needs, all real: the simulator over loopback HTTP (API, token server, JWKS,
 * notifier), the platform ingress with the SS12000 route, a production-configured worker on a unique queue, and
 * an SQLite store in a temporary directory.
 */
export interface Ss12000Fixture {
  env: TestWorkflowEnvironment;
  client: Client;
  sim: Ss12000Simulator;
  /** AP's registration callback endpoint (the only callback URL the configuration allows). */
  ap: ApCallbackServer;
  ingress: RunningIngress;
  store: SqliteStore;
  taskQueue: string;
  dataDir: string;
  ferjeEnv: Record<string, string>;
  worker?: Worker;
  running?: Promise<void>;
  addHuvudman(options: Partial<Omit<TenantOptions, 'size'>> & { name: string; size?: Partial<HuvudmanSize> }): Tenant;
  start(
    huvudman: string,
    input?: Partial<Ss12000SubscriptionInput>,
    options?: Pick<WorkflowStartOptions, 'workflowIdReusePolicy'>,
  ): Promise<string>;
  status(huvudman: string): Promise<Ss12000SubscriptionStatus>;
  waitFor(
    huvudman: string,
    done: (s: Ss12000SubscriptionStatus) => boolean,
    timeoutMs?: number,
  ): Promise<Ss12000SubscriptionStatus>;
  /**
   * A second ingress with the SS12000 route under other settings (e.g. `SS12000_WEBHOOK_REQUIRE_ACCESS`), on the same
   * Temporal client; closed by `stop`.
   */
  startIngress(extraEnv: Record<string, string>): Promise<RunningIngress>;
  /** Shuts the in-process worker down (workflows keep their state; signals keep arriving and are queued). */
  stopWorker(): Promise<void>;
  /** Starts a fresh in-process worker on the same queue and store (after `stopWorker`). */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** A stand-in for AP's registration callback endpoint over loopback HTTP: records every POST, answers `status`. */
export interface ApCallbackServer {
  url: string;
  status: number;
  received: { path: string; body: unknown }[];
  close(): Promise<void>;
}

async function startApCallbackServer(): Promise<ApCallbackServer> {
  const ap: ApCallbackServer = { url: '', status: 200, received: [], close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      ap.received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
      res.writeHead(ap.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ap.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ap`;
  ap.close = () => new Promise((resolve) => server.close(() => resolve()));
  return ap;
}

export async function startFixture(
  env: TestWorkflowEnvironment,
  options: { worker?: boolean; simulatorRetryDelayMs?: number } = {},
): Promise<Ss12000Fixture> {
  const sim = await new Ss12000Simulator({ notifierRetryDelayMs: options.simulatorRetryDelayMs ?? 100 }).start();
  const ap = await startApCallbackServer();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-ss12000-'));
  const taskQueue = uniqueTaskQueue('ss12000');
  const logger = createLogger('test', 'ERROR', () => undefined);
  const baseEnv: Record<string, string> = {
    FERJE_DATA_DIR: dataDir,
    SS12000_TOKEN_URL: `${sim.url}/transaction`,
    SS12000_WEBHOOK_JWKS_URL: `${sim.url}/.well-known/jwks.json`,
    SS12000_WEBHOOK_ISSUER: sim.issuer.issuerUrl,
    SS12000_WEBHOOK_AUDIENCE: sim.issuer.audience,
    SS12000_WEBHOOK_LOCATION: sim.clientLocation,
    SS12000_WEBHOOK_SECRET: 'test-secret-for-ss12000-webhook-targets-0123456789',
    SS12000_STORE_PATH: path.join(dataDir, 'store.sqlite'),
    SS12000_HTTP_TIMEOUT_MS: '2000',
    // Partner endpoints come from configuration only: every huvudman the simulator serves, and nothing else.
    SS12000_API_ALLOWED_URLS: `${sim.url}/hm/`,
    SS12000_CALLBACK_ALLOWED_URLS: ap.url,
  };
  const ctxFor = (vars: Record<string, string>): IntegrationContext => ({
    config: loadFerjeConfig(vars),
    env: vars,
    client: env.client,
    namespace: env.namespace ?? 'default',
    blobStore: new FsBlobStore(path.join(dataDir, 'blobs')),
    logger,
  });
  const ingressWith = (vars: Record<string, string>) =>
    startIngress({
      client: env.client,
      routes: ss12000Module.ingressRoutes!(ctxFor(vars)),
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024 * 1024,
      logger,
    });
  const ingress = await ingressWith(baseEnv);
  const extraIngresses: RunningIngress[] = [];
  // The target each subscription registers points at this ingress.
  const ferjeEnv: Record<string, string> = { ...baseEnv, FERJE_INGRESS_PUBLIC_URL: ingress.url };
  const store = await SqliteStore.open(ferjeEnv.SS12000_STORE_PATH);
  const fixture: Ss12000Fixture = {
    env,
    client: env.client,
    sim,
    ap,
    ingress,
    store,
    taskQueue,
    dataDir,
    ferjeEnv,
    addHuvudman: (o) => sim.addTenant({ organisationId: 'SE2120000001', seed: 7, ...o }),
    async start(huvudman, input = {}, options = {}) {
      const workflowId = ss12000SubscriptionWorkflowId(huvudman);
      await env.client.workflow.start('ss12000SubscriptionWorkflow', {
        ...options,
        workflowId,
        taskQueue,
        args: [
          {
            huvudman,
            organisationId: sim.tenant(huvudman).organisationId,
            apiBaseUrl: sim.baseUrl(huvudman),
            ...input,
            options: { pageLimit: 100, webhookQuietSeconds: 0, ...input.options },
          },
        ],
      });
      return workflowId;
    },
    status: (huvudman) =>
      env.client.workflow.getHandle(ss12000SubscriptionWorkflowId(huvudman)).query(ss12000StatusQuery),
    async waitFor(huvudman, done, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      let last: Ss12000SubscriptionStatus | undefined;
      while (Date.now() < until) {
        try {
          last = await fixture.status(huvudman);
          if (done(last)) return last;
        } catch {
          // Not started yet / no worker polling for a moment.
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`condition not reached; last status ${JSON.stringify(last?.phase)} pass ${last?.passNumber}`);
    },
    async startIngress(extraEnv) {
      const extra = await ingressWith({ ...baseEnv, ...extraEnv });
      extraIngresses.push(extra);
      return extra;
    },
    async stopWorker() {
      const worker = fixture.worker;
      fixture.worker = undefined;
      if (!worker) return;
      worker.shutdown();
      await fixture.running;
    },
    async startWorker() {
      if (fixture.worker) return;
      fixture.worker = await createTestWorker({
        env,
        taskQueue,
        activities: createSs12000Activities(ctxFor(ferjeEnv), { store }),
      });
      fixture.running = fixture.worker.run();
    },
    async stop() {
      await fixture.stopWorker();
      await ingress.close();
      for (const extra of extraIngresses) await extra.close();
      await sim.stop();
      await ap.close();
      await store.close();
    },
  };
  if (options.worker !== false) await fixture.startWorker();
  return fixture;
}

/** Finished and idle: at least `passes` passes done and nothing pending or running. */
export const idleAfter =
  (passes: number) =>
  (s: Ss12000SubscriptionStatus): boolean =>
    s.passNumber >= passes && s.currentPass === undefined && s.pending.steps.length === 0;

/**
 * An SS12000 worker in its own process (worker-process.ts: production queue, bundle and activities), so a test or a
 * bench can kill it like a crash would. Resolves once it polls.
 */
export async function spawnSs12000Worker(env: Record<string, string>): Promise<ChildHandle> {
  const handle = spawnTs('test/workflows/ss12000/worker-process.ts', [], { ...process.env, ...testKeyEnv(), ...env });
  await handle.waitFor(/^ready$/m, 90_000);
  return handle;
}

export async function killHard(worker: ChildHandle): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
}
