import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { request } from 'undici';
import { createEformidlingActivities } from '../../../activities/eformidling';
import { FsBlobStore } from '../../../src/blobs/fs-blob-store';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import type { BlobRef } from '../../../src/contract/blob-ref';
import type { OutgoingMessageInput } from '../../../src/contract/eformidling';
import { createLogger } from '../../../src/logging/logger';
import {
  ARKIVMELDING_ADMINISTRASJON,
  arkivmeldingMessage,
  arkivmeldingXml as exampleArkivmeldingXml,
} from '../../../src/modules/eformidling/example-message';
import type { IntegrationContext } from '../../../src/platform/integration';
import {
  startEformidlingSimulator,
  type RunningEformidlingSimulator,
} from '../../../src/simulators/eformidling/server';
import type { SimSettings } from '../../../src/simulators/eformidling/state';
import type { eformidlingOutgoingMessage } from '../../../workflows';
import { spawnTs, type ChildHandle } from '../../harness/processes';
import { getTestEnv } from '../../harness/temporal';
import { createTestWorker, uniqueTaskQueue } from '../../harness/worker';

export const ADMIN_PROCESS = ARKIVMELDING_ADMINISTRASJON;

export interface EformidlingTestRig {
  env: TestWorkflowEnvironment;
  sim: RunningEformidlingSimulator;
  ctx: IntegrationContext;
  blobStore: FsBlobStore;
  taskQueue: string;
  dataDir: string;
  worker?: Worker;
  running?: Promise<void>;
  stop(): Promise<void>;
}

/** A simulator, a blob store, a context pointing at both, and (unless `worker: false`) a production-like worker. */
export async function startRig(
  options: {
    settings?: Partial<SimSettings>;
    env?: Record<string, string>;
    worker?: boolean;
    temporal?: TestWorkflowEnvironment;
  } = {},
): Promise<EformidlingTestRig> {
  const env = options.temporal ?? (await getTestEnv());
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-eformidling-'));
  const sim = await startEformidlingSimulator({
    dataDir: path.join(dataDir, 'sim'),
    settings: { stepDelayMs: 100, expiryCheckMs: 200, ...options.settings },
  });
  const processEnv = { FERJE_DATA_DIR: dataDir, EFORMIDLING_BASE_URL: sim.url, ...options.env };
  const config = loadFerjeConfig(processEnv);
  const blobStore = new FsBlobStore(config.blobDir);
  const ctx: IntegrationContext = {
    config,
    env: processEnv,
    client: env.client,
    namespace: env.namespace ?? 'default',
    blobStore,
    logger: createLogger('test', 'ERROR'),
  };
  const taskQueue = uniqueTaskQueue('eformidling');
  const rig: EformidlingTestRig = {
    env,
    sim,
    ctx,
    blobStore,
    taskQueue,
    dataDir,
    async stop() {
      if (rig.worker) {
        rig.worker.shutdown();
        await rig.running;
      }
      await sim.stop();
    },
  };
  if (options.worker !== false) {
    rig.worker = await createTestWorker({ env, taskQueue, activities: createEformidlingActivities(ctx) });
    rig.running = rig.worker.run();
  }
  return rig;
}

/** The example arkivmelding.xml with fixed header values (deterministic test input). */
export function arkivmeldingXml(...files: string[]): string {
  return exampleArkivmeldingXml(files, { system: 'Ferje test', meldingId: '1', tidspunkt: '2030-01-01T00:00:00Z' });
}

/** `size` random bytes into the blob store, streamed (never a whole buffer of that size). */
export async function putRandom(store: FsBlobStore, size: number, mediaType = 'application/pdf'): Promise<BlobRef> {
  const block = randomBytes(Math.min(size, 1024 * 1024));
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let left = size; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
  }
  return store.put(Readable.from(chunks()), { mediaType });
}

/** An arkivmelding message with arkivmelding.xml and one document of `documentBytes`. */
export async function arkivmelding(
  rig: EformidlingTestRig,
  overrides: Partial<OutgoingMessageInput> & { documentBytes?: number } = {},
): Promise<OutgoingMessageInput> {
  const { documentBytes = 2048, ...rest } = overrides;
  const xml = await rig.blobStore.put(Buffer.from(arkivmeldingXml('vedtak.pdf')), { mediaType: 'application/xml' });
  const pdf = await putRandom(rig.blobStore, documentBytes);
  return arkivmeldingMessage(
    { xml, document: pdf },
    { tracking: { pollInitialInterval: '300 ms', pollMaxInterval: '1 second' }, ...rest },
  );
}

/** Runs one outgoing message on the rig's worker to its result. */
export function runMessage(rig: EformidlingTestRig, input: OutgoingMessageInput) {
  return rig.env.client.workflow.execute<typeof eformidlingOutgoingMessage>('eformidlingOutgoingMessage', {
    workflowId: `eformidling-message/${input.messageId}`,
    taskQueue: rig.taskQueue,
    args: [input],
  });
}

/** Runs one outgoing message that must fail; returns its typed failure. */
export async function messageFailure(
  rig: EformidlingTestRig,
  input: OutgoingMessageInput,
): Promise<ApplicationFailure> {
  const err = await runMessage(rig, input).then(
    () => assert.fail('the workflow should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError);
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause;
}

/** A complete DPI `digital` business message (the fields the IP requires), main document `brev.pdf`. */
export const digitalBusinessMessage = {
  sikkerhetsnivaa: 4,
  hoveddokument: 'brev.pdf',
  tittel: 'Vedtak',
  spraak: 'nb',
  digitalPostInfo: { virkningsdato: '2030-01-10', aapningskvittering: false },
};

export async function control<T = unknown>(
  rig: { sim: RunningEformidlingSimulator },
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  p: string,
  body?: unknown,
): Promise<T> {
  const res = await request(`${rig.sim.url}/_control${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.body.json()) as T;
}

export interface MessageView {
  creates: number;
  conversations: { direction: string; serviceIdentifier: string; statuses: string[] }[];
  outbox: { files: { fileName: string; size: number }[] } | null;
}

export interface WorkerProcess {
  child: ChildHandle['child'];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A worker in its own process (test/fixtures/eformidling-worker-process.ts), resolved once it polls. */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const handle = spawnTs('test/fixtures/eformidling-worker-process.ts', [], { ...process.env, ...env });
  // Bundling the workflows takes a while on a busy machine; the old helper waited without a bound.
  await handle.waitFor(/ready/, 300_000);
  return {
    child: handle.child,
    async kill(signal = 'SIGKILL') {
      if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
      handle.child.kill(signal);
      await handle.exited;
    },
  };
}
