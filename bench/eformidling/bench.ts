/**
 * eFormidling figures, printed as ONE JSON line:
 *   messages, settled, messagesPerSecond      BENCH_MESSAGES small one-step messages (default 200) sent and tracked
 *                                             to LEVERT by a worker in a separate process
 *   largeFileMb, largeUploadMbPerSecond       one BENCH_LARGE_MB file (default 1024 MiB) sent multi-step: PUT streamed
 *                                             from the blob store (rate = the upload activity's own duration)
 *   baselineUploadMbPerSecond                 a plain undici PUT of the same file to the same simulator, same run
 *   workerPeakRssMb                           the worker process's peak VmRSS (/proc/<pid>/status) during that upload
 * The worker is Ferje's production worker (`bin/ferje worker` as the image starts it: compiled, prebuilt bundle,
 * eFormidling only) in its own process, against its own dev server and the simulator. The bench runs `npm run build` first.
 * Run: npm run bench:eformidling   (MB = MiB; needs ~3× the large file in free disk under the temp dir)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { FsBlobStore } from '../../src/blobs/fs-blob-store';
import type { OutgoingMessageInput } from '../../src/contract/eformidling';
import { projectDir } from '../../src/config/ferje-config';
import { EformidlingClient } from '../../src/integrations/eformidling/client';
import { buildSbd } from '../../src/integrations/eformidling/sbd';
import { startEformidlingSimulator } from '../../src/simulators/eformidling/server';
import { taskQueues } from '../../src/contract/task-queues';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  ARKIVMELDING_ADMINISTRASJON,
  DELIVERING_TEST_ORGANISATION,
  arkivmeldingMessage,
  arkivmeldingXml,
} from '../../src/modules/eformidling/example-message';
import { testKeyEnv, testKeyRing } from '../../test/harness/keys';
import { spawnFerjeWorker } from '../worker-process';
import { rssMb } from '../common/proc';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200);
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 1024);
const MiB = 1024 * 1024;

async function putRandom(store: FsBlobStore, size: number): Promise<Awaited<ReturnType<FsBlobStore['put']>>> {
  const block = randomBytes(MiB);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let left = size; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
  }
  return store.put(Readable.from(chunks()), { mediaType: 'application/pdf' });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-bench-eformidling-'));
  const port = await freePort();
  const temporal = await startTemporalDevServer({
    cliPath: locateTemporalBinary('cli').path,
    dbFilename: path.join(dataDir, 'temporal', 'dev.db'),
    ip: '127.0.0.1',
    port,
    uiPort: await freePort(),
    namespace: 'default',
    logFile: path.join(dataDir, 'temporal', 'dev-server.log'),
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: ferjeDataConverter(testKeyRing()) });
  const sim = await startEformidlingSimulator({
    dataDir: path.join(dataDir, 'sim'),
    settings: {
      stepDelayMs: 20,
      // 1 GiB is above the IP's default DPO total (1 GB): this IP is configured with a higher limit, and so is Ferje.
      transportLimitBytes: { DPO: 4 * 1024 * MiB },
    },
  });
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: projectDir, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const taskQueue = taskQueues.eformidling;
  const worker = spawnFerjeWorker({
    env: {
      ...process.env,
      ...testKeyEnv(),
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: temporal.address,
      FERJE_WORKER_INTEGRATIONS: 'eformidling',
      FERJE_DATA_DIR: dataDir,
      FERJE_WORKFLOW_BUNDLE: path.join(projectDir, 'dist', 'workflow-bundle.js'),
      EFORMIDLING_BASE_URL: sim.url,
      EFORMIDLING_TRANSPORT_LIMITS: `DPO=${4 * 1024 * MiB}`,
      FERJE_LOG_LEVEL: 'INFO',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const samples: { at: number; mb: number }[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      worker.stderr?.on('data', (d: Buffer) => d.toString().includes('workers running') && resolve());
      worker.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
    });
    sampler = setInterval(() => {
      samples.push({ at: Date.now(), mb: rssMb(worker.pid) });
    }, 50);
    const store = new FsBlobStore(path.join(dataDir, 'blobs'));
    const run = (input: OutgoingMessageInput) =>
      client.workflow.execute('eformidlingOutgoingMessage', {
        workflowId: `eformidling-message/${input.messageId}`,
        taskQueue,
        args: [input],
      }) as Promise<{ finalStatus: string }>;
    const xml = await store.put(Buffer.from(arkivmeldingXml(['dokument.pdf'])), { mediaType: 'application/xml' });
    const base = (pdf: Awaited<ReturnType<typeof putRandom>>): OutgoingMessageInput =>
      arkivmeldingMessage(
        { xml, document: pdf, documentName: 'dokument.pdf', documentTitle: 'Dokument' },
        { tracking: { pollInitialInterval: '200 ms', pollMaxInterval: '1 second' } },
      );

    // ---- one large file: baseline PUT, then Ferje's multi-step upload ----
    const large = await putRandom(store, LARGE_MB * MiB);
    const largePath = store.localPath(large);
    const ip = new EformidlingClient({ baseUrl: sim.url });
    const baselineId = randomUUID();
    await ip.createMessage(
      buildSbd({
        messageId: baselineId,
        conversationId: baselineId,
        receiver: { kind: 'organisation', organisationNumber: DELIVERING_TEST_ORGANISATION },
        process: ARKIVMELDING_ADMINISTRASJON,
        documentType: 'arkivmelding',
        businessMessage: {},
      }),
    );
    // Baseline: curl in its own process (like the worker), PUT of the same file to the same endpoint.
    const b0 = Date.now();
    const curl = await runCurl([
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'PUT',
      '-H',
      'Content-Type: application/pdf',
      '-H',
      'Content-Disposition: attachment; name="Dokument"; filename="dokument.pdf"',
      '-H',
      'Expect:',
      '-T',
      largePath,
      `${sim.url}/api/messages/out/${baselineId}`,
    ]);
    if (curl.stdout !== '200') throw new Error(`baseline PUT answered ${curl.stdout} ${curl.stderr}`);
    const baselineSeconds = (Date.now() - b0) / 1000;
    await ip.deleteOutgoing(baselineId);
    await ip.close();

    const largeInput = base(large);
    const result = await run(largeInput);
    if (result.finalStatus !== 'LEVERT') throw new Error(`large message ended ${result.finalStatus}`);
    const history = await client.workflow.getHandle(`eformidling-message/${largeInput.messageId}`).fetchHistory();
    const events = history.events ?? [];
    const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
      Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
    // The upload of the large file: the eformidlingUploadFile activity with input index 1.
    const scheduled = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'eformidlingUploadFile',
    );
    const bigScheduled = scheduled[scheduled.length - 1];
    const startedEv = events.find(
      (e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === bigScheduled.eventId?.toString(),
    );
    const completedEv = events.find(
      (e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === bigScheduled.eventId?.toString(),
    );
    const uploadStart = ms(startedEv?.eventTime);
    const uploadEnd = ms(completedEv?.eventTime);
    const uploadSeconds = (uploadEnd - uploadStart) / 1000;
    // The upload activity's own span (ActivityTaskStarted → ActivityTaskCompleted), sampled every 50 ms.
    const during = samples.filter((s) => s.at >= uploadStart && s.at <= uploadEnd).map((s) => s.mb);

    // ---- many small messages (after the upload, so the upload's figure is a fresh worker's) ----
    const small = await putRandom(store, 20 * 1024);
    const t0 = Date.now();
    const outcomes = await Promise.allSettled(Array.from({ length: MESSAGES }, () => run(base(small))));
    const seconds = (Date.now() - t0) / 1000;
    const settled = outcomes.filter((o) => o.status === 'fulfilled' && o.value.finalStatus === 'LEVERT').length;

    const round = (n: number): number => Math.round(n * 10) / 10;
    console.log(
      JSON.stringify({
        messages: MESSAGES,
        settled,
        messagesPerSecond: MESSAGES > 0 ? round(MESSAGES / seconds) : 0,
        largeFileMb: LARGE_MB,
        largeUploadMbPerSecond: round(LARGE_MB / uploadSeconds),
        baselineUploadMbPerSecond: round(LARGE_MB / baselineSeconds),
        uploadVsBaseline: round((baselineSeconds / uploadSeconds) * 100) / 100,
        workerPeakRssMb: round(Math.max(...during)),
        workerRssBeforeUploadMb: round(samples.filter((s) => s.at < uploadStart).at(-1)?.mb ?? 0),
        rssSamplesDuringUpload: during.length,
        workerPeakRssWholeRunMb: round(Math.max(...samples.map((x) => x.mb))),
      }),
    );
  } finally {
    if (sampler) clearInterval(sampler);
    worker.kill('SIGTERM');
    await new Promise((r) => (worker.exitCode !== null ? r(undefined) : worker.once('exit', r)));
    await sim.stop();
    await connection.close();
    await temporal.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** curl in its own process; asynchronously, because the simulator answering it runs in this process. */
function runCurl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve({ stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
