import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createSignstashActivities } from '../../../activities/signstash';
import { FsBlobStore } from '../../../src/blobs/fs-blob-store';
import { startFlow } from '../../../src/client/flows';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import {
  signatureOperationFlow,
  type SignatureOperationInput,
  type SignstashDocumentInput,
} from '../../../src/contract/signstash';
import { createLogger } from '../../../src/logging/logger';
import type { IntegrationContext } from '../../../src/platform/integration';
import { SignstashSimulator, type SignstashSimulatorOptions } from '../../../src/simulators/signstash';
import { createTestWorker, uniqueTaskQueue } from '../../harness/worker';

export const pdf = (text: string): Buffer => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);

/** Settings that make polling quick enough for tests (the simulator answers Retry-After: 1). */
export const fastPolling: Record<string, string> = {
  SIGNSTASH_FIRST_POLL_DELAY_MS: '300',
  SIGNSTASH_MAX_POLL_DELAY_SECONDS: '1',
  SIGNSTASH_START_RETRY_INTERVAL_SECONDS: '1',
  SIGNSTASH_CONNECT_TIMEOUT_SECONDS: '2',
  SIGNSTASH_REQUEST_TIMEOUT_SECONDS: '5',
};

export interface SignstashRig {
  sim: SignstashSimulator;
  ctx: IntegrationContext;
  taskQueue: string;
  worker: Worker;
  running: Promise<void>;
  clientServiceId: string;
  start(input: SignatureOperationInput): ReturnType<typeof startFlow<typeof signatureOperationFlow>>;
  stop(): Promise<void>;
}

/** A simulator with several instances, and a production-like worker whose activities point at it. */
export async function startRig(
  env: TestWorkflowEnvironment,
  options: {
    sim?: Partial<SignstashSimulatorOptions>;
    env?: Record<string, string>;
    sharedSim?: SignstashSimulator;
  } = {},
): Promise<SignstashRig> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-signstash-wf-'));
  const sim =
    options.sharedSim ??
    (await SignstashSimulator.start({
      dataDir: path.join(dataDir, 'sim'),
      instances: 2,
      baseDelayMs: 600,
      perDocumentDelayMs: 20,
      retryAfterSeconds: 1,
      ...options.sim,
    }));
  const workerEnv = { FERJE_DATA_DIR: dataDir, ...sim.env(), ...fastPolling, ...options.env };
  const ctx: IntegrationContext = {
    config: loadFerjeConfig(workerEnv),
    env: workerEnv,
    client: env.client,
    namespace: env.namespace ?? 'default',
    blobStore: new FsBlobStore(path.join(dataDir, 'blobs')),
    logger: createLogger('signstash-test', 'ERROR'),
  };
  const taskQueue = uniqueTaskQueue('signstash');
  const worker = await createTestWorker({ env, taskQueue, activities: createSignstashActivities(ctx) });
  const running = worker.run();
  const flow = { ...signatureOperationFlow, taskQueue };
  return {
    sim,
    ctx,
    taskQueue,
    worker,
    running,
    clientServiceId: Object.keys(sim.clientServices())[0],
    start: (input) => startFlow(env.client, flow, input),
    async stop() {
      worker.shutdown();
      await running;
      if (!options.sharedSim) await sim.stop();
    },
  };
}

let counter = 0;
/** A unique reference per test (the dev server is shared by the whole run). */
export function uniqueReference(label: string): string {
  return `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

export function pdfDocuments(reference: string, count: number): SignstashDocumentInput[] {
  return Array.from({ length: count }, (_, i) => ({
    externalReference: `${reference}-d${i}`,
    name: `contract-${i}.pdf`,
    contentType: 'application/pdf' as const,
    content: { base64: pdf(`document ${i}`).toString('base64') },
    signatureType: 'PAdES' as const,
  }));
}

export async function readBlob(rig: SignstashRig, ref: { sha256: string }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await rig.ctx.blobStore.get(ref)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
