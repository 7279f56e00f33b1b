/**
 * Documents API figures, printed as ONE JSON line:
 *   documentMb                         size of the document (BENCH_DOCUMENT_MB, default 1024 MiB)
 *   uploadMbPerSecond                  streamed upload through the API (chunked, no Content-Length), sha256 by Ferje
 *   downloadMbPerSecond                streamed download through the API, hashed by the bench and checked
 *   rangeOk                            a 1 MiB Range request from the middle answered 206 with the right bytes
 *   apiIdleRssMb, apiPeakRssMb         the API process's VmRSS before and its peak during upload and download
 *   workerPeakRssMb                    the production worker's peak VmRSS while it sends the uploaded document as an
 *                                      eFormidling message (multi-step PUT streamed from the blob store)
 *   benchPeakRssMb                     this (caller) process's peak VmRSS
 * API and worker are Ferje's production builds (`node dist/src/cli/main.js documents serve`, `bin/ferje worker`)
 * in their own processes, with API keys, against their own dev server; they share only the blob folder.
 * Run: npm run bench:documents   (MB = MiB; needs ~3× the document in free disk under the temp dir)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { documentsCaller, getDocument, putDocument, type DocumentsApi } from '../../src/client/documents';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { projectDir } from '../../src/config/ferje-config';
import { searchAttributes } from '../../src/contract/search-attributes';
import { taskQueues } from '../../src/contract/task-queues';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { newApiKey } from '../../src/documents/api-keys';
import { arkivmeldingMessage, arkivmeldingXml } from '../../src/modules/eformidling/example-message';
import { startEformidlingSimulator } from '../../src/simulators/eformidling/server';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { testKeyEnv, testKeyRing } from '../../test/harness/keys';
import { freePort } from '../../test/harness/ports';
import { spawnFerjeWorker } from '../worker-process';
import { rssMb } from '../common/proc';

const DOCUMENT_MB = Number(process.env.BENCH_DOCUMENT_MB ?? 1024);
const MiB = 1024 * 1024;

class Sampler {
  private timer: NodeJS.Timeout;
  peak = 0;
  constructor(private readonly pid: number | undefined) {
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, rssMb(this.pid))), 50);
  }
  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.peak, rssMb(this.pid));
  }
}

function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}):\n${out.slice(-2000)}`)));
  });
}

function randomDocument(size: number): { stream: Readable; sha256: () => string } {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let left = size; left > 0; left -= block.length) {
      const chunk = left >= block.length ? block : block.subarray(0, left);
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks()), sha256: () => hash.digest('hex') };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-bench-documents-'));
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: projectDir, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const temporal = await startTemporalDevServer({
    cliPath: locateTemporalBinary('cli').path,
    dbFilename: path.join(dataDir, 'temporal', 'dev.db'),
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    logFile: path.join(dataDir, 'temporal', 'dev-server.log'),
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: ferjeDataConverter(testKeyRing()) });
  const sim = await startEformidlingSimulator({
    dataDir: path.join(dataDir, 'sim'),
    settings: { stepDelayMs: 20, transportLimitBytes: { DPO: 4 * 1024 * MiB } },
  });
  const key = newApiKey();
  const keysFile = path.join(dataDir, 'documents-keys.json');
  writeFileSync(keysFile, JSON.stringify({ callers: { bench: [key.hash] } }));
  const common = {
    ...process.env,
    ...testKeyEnv(),
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: temporal.address,
    FERJE_DATA_DIR: dataDir,
    FERJE_LOG_LEVEL: 'INFO',
  };
  const apiProcess = spawn(
    process.execPath,
    [path.join(projectDir, 'dist', 'src', 'cli', 'main.js'), 'documents', 'serve'],
    {
      env: {
        ...common,
        FERJE_DOCUMENTS_PORT: String(await freePort()),
        FERJE_DOCUMENTS_KEYS_FILE: keysFile,
        FERJE_DOCUMENTS_MAX_UPLOAD_BYTES: String(4 * 1024 * MiB),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const worker = spawnFerjeWorker({
    env: {
      ...common,
      FERJE_WORKER_INTEGRATIONS: 'eformidling',
      FERJE_WORKFLOW_BUNDLE: path.join(projectDir, 'dist', 'workflow-bundle.js'),
      EFORMIDLING_BASE_URL: sim.url,
      EFORMIDLING_TRANSPORT_LIMITS: `DPO=${4 * 1024 * MiB}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const bench = new Sampler(process.pid);
  try {
    const [, url] = await waitForOutput(apiProcess, /Documents API (http:\/\/\S+)/);
    await waitForOutput(worker, /workers running/);
    const api: DocumentsApi = { url, apiKey: key.key };
    const apiIdleRssMb = rssMb(apiProcess.pid);
    const apiSampler = new Sampler(apiProcess.pid);

    // ---- upload: streamed, chunked (the caller does not know the length in advance) ----
    const doc = randomDocument(DOCUMENT_MB * MiB);
    const u0 = Date.now();
    const ref = await putDocument(api, doc.stream, { mediaType: 'application/pdf', fileName: 'bench.pdf' });
    const uploadSeconds = (Date.now() - u0) / 1000;
    if (ref.sha256 !== doc.sha256() || ref.size !== DOCUMENT_MB * MiB) throw new Error('upload answered a wrong ref');

    // ---- download: streamed and hashed here ----
    const d0 = Date.now();
    const fetched = await getDocument(api, ref.sha256);
    const hash = createHash('sha256');
    for await (const chunk of fetched.body) hash.update(chunk as Buffer);
    const downloadSeconds = (Date.now() - d0) / 1000;
    if (hash.digest('hex') !== ref.sha256) throw new Error('download does not match the upload');
    const middle = Math.floor((DOCUMENT_MB * MiB) / 2);
    const part = await getDocument(api, ref.sha256, { range: { start: middle, end: middle + MiB - 1 } });
    let partBytes = 0;
    for await (const chunk of part.body) partBytes += (chunk as Buffer).length;
    const rangeOk = part.status === 206 && partBytes === MiB;
    const apiPeakRssMb = apiSampler.stop();

    // ---- the worker sends the uploaded document on (streams it from the blob store) ----
    const caller = await documentsCaller(api);
    const xml = await putDocument(api, Buffer.from(arkivmeldingXml(['dokument.pdf'])), {
      mediaType: 'application/xml',
    });
    const input = arkivmeldingMessage(
      { xml, document: ref, documentName: 'dokument.pdf', documentTitle: 'Dokument' },
      { tracking: { pollInitialInterval: '200 ms', pollMaxInterval: '1 second' } },
    );
    const workerSampler = new Sampler(worker.pid);
    const result = (await client.workflow.execute('eformidlingOutgoingMessage', {
      workflowId: `eformidling-message/${input.messageId}`,
      taskQueue: taskQueues.eformidling,
      args: [input],
      typedSearchAttributes: [{ key: searchAttributes.caller, value: caller }],
    })) as { finalStatus: string };
    const workerPeakRssMb = workerSampler.stop();
    if (result.finalStatus !== 'LEVERT') throw new Error(`the message ended ${result.finalStatus}`);

    const round = (n: number): number => Math.round(n * 10) / 10;
    console.log(
      JSON.stringify({
        documentMb: DOCUMENT_MB,
        uploadMbPerSecond: round(DOCUMENT_MB / uploadSeconds),
        downloadMbPerSecond: round(DOCUMENT_MB / downloadSeconds),
        rangeOk,
        apiIdleRssMb: round(apiIdleRssMb),
        apiPeakRssMb: round(apiPeakRssMb),
        workerPeakRssMb: round(workerPeakRssMb),
        benchPeakRssMb: round(bench.stop()),
      }),
    );
  } finally {
    bench.stop();
    for (const child of [apiProcess, worker]) {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
    await sim.stop();
    await connection.close();
    await temporal.stop();
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
