import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createServer } from 'node:net';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { testKeyRing, testKeyEnv } from '../../test/harness/keys';
import { FsBlobStore } from '../../src/blobs/fs-blob-store';
import {
  signatureJobWorkflowId,
  statusPollerWorkflowId,
  postenWorkflowTypes,
} from '../../src/contract/posten-signering';
import type { PostenSignatureJobInput, PostenSignatureJobResult } from '../../src/contract/posten-signering';
import { taskQueues } from '../../src/contract/task-queues';
import { PostenSignatureClient } from '../../src/integrations/posten-signering/client';
import { loadPostenConfig } from '../../src/modules/posten-signering/config';
import { demoPdf } from '../../src/modules/posten-signering/demo';
import { createLogger } from '../../src/logging/logger';
import { startPostenSimulator, type RunningPostenSimulator } from '../../src/simulators/posten-signering';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleOptions } from '../../src/worker/bundle';
import { runBaselineLoop } from './baseline';
import { spawnFerjeWorker } from '../worker-process';
import { statusKb as readStatus } from '../common/proc';

/**
 * N portal jobs with two signers each, simulator → Ferje, against the baseline loop on the same simulator in the same
 * run. Both obey Posten's 10 calls/second rule (the simulator enforces it; clients pace at --rps). Each job makes two
 * status changes: signer 1 signs (IN_PROGRESS, one XAdES) and signer 2 signs (COMPLETED, one XAdES and the PAdES).
 * Throughput is measured over those two phases; job creation is reported separately. Prints one JSON line.
 */
const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '500' },
    rps: { type: 'string', default: '8' },
    'server-limit': { type: 'string', default: '10' },
    'schema-validation': { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const rps = Number(values.rps);
const serverLimit = Number(values['server-limit']);
// WARN: the simulator's DoS block line (which requests tipped the second) goes to stderr; stdout keeps the JSON line.
const logger = createLogger('bench', 'WARN');
const noop = (): void => undefined;
/** The bundler's progress lines would break the one-JSON-line output. */
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
const BASELINE_SENDER = '910000001';
const FERJE_SENDER = '910000002';

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-bench-posten-'));
  // The dev server's banner goes to a log file: stdout carries only the result line.
  const server = await startTemporalDevServer({
    cliPath: locateTemporalBinary('cli').path,
    dbFilename: path.join(dir, 'temporal.db'),
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    logFile: path.join(dir, 'temporal.log'),
  });
  const connection = await Connection.connect({ address: server.address });
  const env = {
    address: server.address,
    client: new Client({ connection, dataConverter: ferjeDataConverter(testKeyRing()) }),
  };
  const sim = await startPostenSimulator({
    dataDir: path.join(dir, 'simulator'),
    logger,
    senders: [FERJE_SENDER, BASELINE_SENDER],
    // XSD validation (libxml2 as WASM, ~125 ms of CPU per create) cannot keep up with 8 creates/s on two shared
    // cores, and a backlog in the simulator would show up as create timeouts in Ferje. Conformance is the tests' job;
    // the bench keeps every other rule, including the signature check.
    rules: {
      maxRequestsPerSecond: serverLimit,
      emptyQueuePollDelayMs: 1000,
      schemaValidation: values['schema-validation'],
    },
  });
  let worker: ChildProcess | undefined;
  try {
    const baseline = await runBaseline(sim);
    const beforeFerje = { ...sim.model.stats };
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflowCode({ ...bundleOptions(), logger: quietLogger })).code);
    const workerEnv: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...sim.env,
      ...testKeyEnv(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      FERJE_DATA_DIR: path.join(dir, 'ferje'),
      FERJE_WORKFLOW_BUNDLE: bundlePath,
      FERJE_WORKER_INTEGRATIONS: 'postenSignering',
      FERJE_LOG_LEVEL: 'ERROR',
      POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND: String(rps),
    };
    worker = spawnFerjeWorker({
      sources: true,
      env: workerEnv,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const rss = sampleRss(worker.pid!);
    const ferje = await runFerje(env.client, sim, path.join(dir, 'ferje', 'blobs'));
    const stats = sim.model.stats;
    const result = {
      jobs,
      completed: ferje.completed,
      statusChanges: ferje.changes,
      statusChangesPerSecond: round(ferje.changes / ferje.seconds),
      baselineStatusChangesPerSecond: round(baseline.changes / baseline.seconds),
      createsPerSecond: round(jobs / ferje.createSeconds),
      http429: stats.http429 - beforeFerje.http429,
      baselineHttp429: beforeFerje.http429,
      tooEarlyPolls: stats.tooEarlyPolls - beforeFerje.tooEarlyPolls,
      rateLimitBlocks: stats.dosBlocks - beforeFerje.dosBlocks,
      duplicateConfirms: stats.duplicateConfirms - beforeFerje.duplicateConfirms,
      redeliveries: stats.redeliveries,
      historyEventsPerJob: round(ferje.historyEventsPerJob),
      pollerHistoryEvents: ferje.pollerHistoryEvents,
      workerPeakRssMb: round(Math.max(rss.stop(), peakRss(worker.pid!)) / 1024),
      requestsPerSecondAllowed: serverLimit,
      clientPacingPerSecond: rps,
      simulatorSchemaValidation: values['schema-validation'],
      cpus: cpus().length,
      loadAverage1m: round(loadavg()[0]),
    };
    console.log(JSON.stringify(result));
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await sim.stop();
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seeds jobs straight into the simulator (creation is not part of the loop), then runs the loop through both phases. */
async function runBaseline(sim: RunningPostenSimulator): Promise<{ changes: number; seconds: number }> {
  const client = new PostenSignatureClient(
    loadPostenConfig({
      ...sim.env,
      POSTEN_SIGNERING_KEYSTORE_FILE: sim.keystores[BASELINE_SENDER],
      POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND: String(rps),
    }),
    logger,
  );
  const ids = Array.from(
    { length: jobs },
    (_, i) =>
      sim.model.createJob({
        sender: BASELINE_SENDER,
        reference: `baseline-${i}`,
        signers: [
          { pin: pin(2 * i), order: 0 },
          { pin: pin(2 * i + 1), order: 0 },
        ],
        documents: new Map([['0000_contract.pdf', demoPdf(`baseline ${i}`)]]),
      }).id,
  );
  let seconds = 0;
  let changes = 0;
  for (const signer of [1, 2]) {
    const started = Date.now();
    for (const id of ids) sim.model.sign(id, signer);
    changes += (await runBaselineLoop(client, BASELINE_SENDER, jobs)).changes;
    seconds += (Date.now() - started) / 1000;
  }
  await client.close();
  return { changes, seconds };
}

async function runFerje(
  client: Client,
  sim: RunningPostenSimulator,
  blobDir: string,
): Promise<{
  completed: number;
  changes: number;
  seconds: number;
  createSeconds: number;
  historyEventsPerJob: number;
  pollerHistoryEvents: number;
}> {
  const blobs = new FsBlobStore(blobDir);
  const createStarted = Date.now();
  const handles = [];
  for (let i = 0; i < jobs; i++) {
    const document = await blobs.put(demoPdf(`contract ${i}`), { mediaType: 'application/pdf' });
    const input: PostenSignatureJobInput = {
      sender: FERJE_SENDER,
      reference: `bench-${i}`,
      title: 'Contract',
      documents: [{ title: 'Contract', fileName: 'contract.pdf', content: document }],
      signers: [
        { personalIdentificationNumber: pin(2 * i), notifications: { email: `a${i}@example.com` } },
        { personalIdentificationNumber: pin(2 * i + 1), notifications: { email: `b${i}@example.com` } },
      ],
    };
    handles.push(
      await client.workflow.start(postenWorkflowTypes.signatureJob, {
        workflowId: signatureJobWorkflowId(FERJE_SENDER, input.reference),
        taskQueue: taskQueues.postenSignering,
        args: [input],
      }),
    );
  }
  // A failed job workflow ends the bench at once instead of letting it wait for changes that never come.
  let failure: unknown;
  const results = Promise.all(handles.map((h) => h.result() as Promise<PostenSignatureJobResult>));
  results.catch((err: unknown) => (failure = err));
  const ferjeJobs = () => {
    if (failure) throw failure instanceof Error ? failure : new Error('a job workflow failed', { cause: failure });
    return [...sim.model.jobs.values()].filter((j) => j.sender === FERJE_SENDER);
  };
  await waitFor(() => ferjeJobs().length >= jobs, 30 * 60_000);
  const createSeconds = (Date.now() - createStarted) / 1000;
  // Creation hands its bundles to the poller before the job exists: wait until every create call has returned.
  await new Promise((r) => setTimeout(r, 2000));

  let seconds = 0;
  const confirmsAtStart = sim.model.stats.confirms;
  for (const signer of [1, 2]) {
    const started = Date.now();
    const target = confirmsAtStart + signer * jobs;
    for (const job of ferjeJobs()) sim.model.sign(job.id, signer);
    await waitFor(() => ferjeJobs() && sim.model.stats.confirms >= target, 60 * 60_000);
    seconds += (Date.now() - started) / 1000;
  }
  const completed = (await results).filter(
    (r) => r.status === 'COMPLETED_SUCCESSFULLY' && r.pades && r.signers.every((s) => s.xades),
  ).length;
  let events = 0;
  for (const h of handles) events += (await h.describe()).historyLength;
  const poller = await client.workflow.getHandle(statusPollerWorkflowId(FERJE_SENDER)).describe();
  await client.workflow.getHandle(statusPollerWorkflowId(FERJE_SENDER)).terminate('bench finished');
  return {
    completed,
    changes: sim.model.stats.confirms - confirmsAtStart,
    seconds,
    createSeconds,
    historyEventsPerJob: events / handles.length,
    pollerHistoryEvents: poller.historyLength,
  };
}

/** Samples VmRSS twice a second; `stop()` returns the largest value seen (kB). */
function sampleRss(pid: number): { stop(): number } {
  let max = 0;
  const timer = setInterval(() => {
    const kb = readStatus(pid, 'VmRSS');
    if (kb > max) max = kb;
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

/** The kernel's own high-water mark of the process's resident set (kB). */
function peakRss(pid: number): number {
  return readStatus(pid, 'VmHWM');
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('bench timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function pin(n: number): string {
  return String(10_000_000_000 + n).slice(-11);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
