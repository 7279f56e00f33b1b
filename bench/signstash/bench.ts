import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { startFlow } from '../../src/client/flows';
import { signatureOperationFlow, type SignatureOperationInput } from '../../src/contract/signstash';
import { projectDir } from '../../src/config/ferje-config';
import { SignstashSimulator } from '../../src/simulators/signstash';
import { bundleOptions } from '../../src/worker/bundle';
import { testKeyEnv, testKeyRing } from '../../test/harness/keys';
import { spawnFerjeWorker } from '../worker-process';
import { rssMb } from '../common/proc';

/**
 * Throughput, affinity and token reuse of the Sign'Stash integration. Starts a dev server, the simulator (three
 * instances behind the round-robin balancer) and the real worker entry point (`src/worker/main.ts`, prebuilt bundle)
 * in its own process, whose RSS is sampled from /proc. Prints ONE JSON line on stdout; progress goes to stderr.
 *   npm run bench:signstash -- --operations 200 --documents 3 --token-ttl 15
 */
const { values } = parseArgs({
  options: {
    operations: { type: 'string', default: '200' },
    documents: { type: 'string', default: '3' },
    instances: { type: 'string', default: '3' },
    'token-ttl': { type: 'string', default: '15' },
    'document-kb': { type: 'string', default: '32' },
    'deadline-seconds': { type: 'string', default: '300' },
  },
});
const operations = Number(values.operations);
const documentsPerOperation = Number(values.documents);
const tokenTtlSeconds = Number(values['token-ttl']);
const documentBytes = Number(values['document-kb']) * 1024;
const deadlineSeconds = Number(values['deadline-seconds']);
const log = (msg: string): void => void process.stderr.write(`bench: ${msg}\n`);

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'ferje-bench-signstash-'));
  // The platform's dev-server launcher keeps the server's banner and logs out of stdout (one JSON line only).
  const server = await startTemporalDevServer({
    cliPath: locateTemporalBinary('cli').path,
    dbFilename: path.join(work, 'temporal.db'),
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    logFile: path.join(work, 'temporal.log'),
    extraArgs: ['--headless'],
  });
  const connection = await Connection.connect({ address: server.address });
  const env = {
    address: server.address,
    client: new Client({ connection, dataConverter: ferjeDataConverter(testKeyRing()) }),
    teardown: async () => {
      await connection.close();
      await server.stop();
    },
  };
  const sim = await SignstashSimulator.start({
    dataDir: path.join(work, 'sim'),
    instances: Number(values.instances),
    tokenTtlSeconds,
    baseDelayMs: 1000,
    perDocumentDelayMs: 50,
    retryAfterSeconds: 1,
  });
  const bundlePath = path.join(work, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowCode({ ...bundleOptions(), logger: quietLogger })).code);
  log(`dev server ${env.address}, load balancer ${sim.baseUrl}, bundle built`);

  // The compiled worker (`npm run build`) is what production runs; without it, tsx compiles on the fly (more RSS).
  const compiled = path.join(projectDir, 'dist', 'src', 'worker', 'main.js');
  const workerRuntime = existsSync(compiled) ? 'dist' : 'tsx';
  const worker = spawnFerjeWorker({
    sources: workerRuntime === 'tsx',
    env: {
      ...process.env,
      ...testKeyEnv(),
      ...sim.env(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      FERJE_WORKER_INTEGRATIONS: 'signstash',
      FERJE_WORKFLOW_BUNDLE: bundlePath,
      FERJE_DATA_DIR: path.join(work, 'worker'),
      FERJE_LOG_LEVEL: 'INFO',
      SIGNSTASH_FIRST_POLL_DELAY_MS: '1000',
      SIGNSTASH_MAX_POLL_DELAY_SECONDS: '5',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let peakRssMb = 0;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(worker.pid));
  }, 100);
  await new Promise<void>((resolve, reject) => {
    worker.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
    worker.stderr?.on('data', (data: Buffer) => {
      if (data.toString().includes('workers running')) resolve();
    });
  });
  log(
    `worker pid ${worker.pid} (${workerRuntime}) running; starting ${operations} operations of ${documentsPerOperation} documents`,
  );

  const clientServiceId = Object.keys(sim.clientServices())[0];
  const content = Buffer.alloc(documentBytes, 'x');
  const prefix = `bench-${Date.now().toString(36)}`;
  const inputs: SignatureOperationInput[] = Array.from({ length: operations }, (_, i) => ({
    clientServiceId,
    externalReference: `${prefix}-${i}`,
    description: 'Bench batch',
    documents: Array.from({ length: documentsPerOperation }, (_, d) => ({
      externalReference: `${prefix}-${i}-${d}`,
      name: `doc-${d}.pdf`,
      contentType: 'application/pdf' as const,
      content: { base64: Buffer.concat([Buffer.from(`%PDF-1.7\n${i}/${d}\n`), content]).toString('base64') },
      signatureType: 'PAdES' as const,
    })),
  }));
  const startedAt = Date.now();
  let completed = 0;
  const failures: string[] = [];
  const all = Promise.all(
    inputs.map(async (input) => {
      try {
        const result = await (await startFlow(env.client, signatureOperationFlow, input)).result();
        if (result.status === 'EXECUTED') completed++;
        else failures.push(`${input.externalReference}: ${result.status}`);
      } catch (err) {
        failures.push(String(err));
      }
    }),
  );
  // Bounded in time: report what finished rather than wait forever on a stuck run.
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    all.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), deadlineSeconds * 1000))),
  ]);
  clearTimeout(timer);
  const seconds = (Date.now() - startedAt) / 1000;
  if (timedOut) log(`deadline of ${deadlineSeconds} s reached`);
  if (failures.length > 0) log(`first failure: ${failures[0]}`);
  clearInterval(sampler);
  const stats = sim.stats();
  worker.removeAllListeners('exit');
  worker.kill('SIGTERM');
  await new Promise((resolve) => worker.once('exit', resolve));
  await sim.stop();
  await env.teardown();
  rmSync(work, { recursive: true, force: true });

  // The client reuses a token for 80 % of its lifetime at least, so this is the most a correct cache may ask for.
  const expectedMaxTokenRequests = Math.ceil(seconds / (tokenTtlSeconds * 0.8)) + 1;
  console.log(
    JSON.stringify({
      operations,
      completed,
      failed: failures.length,
      timedOut,
      documentsPerOperation,
      documentKb: documentBytes / 1024,
      instances: stats.instances.length,
      seconds: Number(seconds.toFixed(2)),
      operationsPerSecond: Number((completed / seconds).toFixed(2)),
      documentsPerSecond: Number(((completed * documentsPerOperation) / seconds).toFixed(2)),
      wrongInstanceCalls: stats.wrongInstanceCalls,
      followUpCallsViaLoadBalancer: stats.followUpCallsViaLoadBalancer,
      startsPerInstance: stats.instances.map((i) => i.stats.starts),
      followUpCalls: stats.instances.reduce((n, i) => n + i.stats.statusCalls + i.stats.detailCalls, 0),
      tokenRequests: stats.tokenRequests,
      tokenLifetimeSeconds: tokenTtlSeconds,
      expectedMaxTokenRequests,
      workerPeakRssMb: Number(peakRssMb.toFixed(1)),
      workerRuntime,
    }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
