import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createPostenSigneringActivities } from '../../../activities/posten-signering';
import { FsBlobStore } from '../../../src/blobs/fs-blob-store';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import type { BlobRef } from '../../../src/contract/blob-ref';
import {
  signatureJobWorkflowId,
  statusPollerWorkflowId,
  postenWorkflowTypes,
} from '../../../src/contract/posten-signering';
import type { PostenSignatureJobInput, PostenSigner } from '../../../src/contract/posten-signering';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import { createLogger } from '../../../src/logging/logger';
import type { IntegrationContext } from '../../../src/platform/integration';
import {
  startPostenSimulator,
  type PostenSimulatorRules,
  type RunningPostenSimulator,
} from '../../../src/simulators/posten-signering';
import type { SimStats } from '../../../src/simulators/posten-signering/model';
import { getTestEnv } from '../../harness/temporal';
import { createTestWorker, uniqueTaskQueue } from '../../harness/worker';
import { decodeUserMetadata } from '@temporalio/common/lib/internal-non-workflow';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { revealsMarker } from '../../harness/plaintext';

export interface Testbed {
  env: TestWorkflowEnvironment;
  sim: RunningPostenSimulator;
  sender: string;
  taskQueue: string;
  dataDir: string;
  blobStore: FsBlobStore;
  /** Environment a worker needs to join this testbed (also for separate worker processes). */
  workerEnv: Record<string, string>;
  ctx: IntegrationContext;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  document(text?: string): Promise<BlobRef>;
  /** Content hashes in the blob store, sorted (content-addressed: storing a download again adds nothing). */
  storedBlobs(): string[];
  job(
    reference: string,
    signers: PostenSigner[],
    extra?: Partial<PostenSignatureJobInput>,
  ): Promise<PostenSignatureJobInput>;
  startJob(input: PostenSignatureJobInput): Promise<WorkflowHandle>;
  /** Posten job id once the workflow created it. */
  jobIdOf(reference: string): Promise<string>;
  waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** The simulator's control endpoints over HTTP, as an operator or the demo uses them. */
  control: {
    stats(): Promise<SimStats>;
    job(id: string): Promise<ControlJob>;
    post(path: string, body?: unknown): Promise<void>;
  };
  close(): Promise<void>;
}

/** One entry of `GET /control/jobs`. */
export interface ControlJob {
  id: string;
  reference?: string;
  status: string;
  finalized: boolean;
  signers: { number: number; order: number; status: string }[];
  deliveries: { id: number; confirmations: number }[];
}

/** A random organisation number per test file keeps pollers and jobs of parallel test files apart. */
export function randomOrgNumber(): string {
  return String(randomInt(100_000_000, 999_999_999));
}

export async function startTestbed(
  options: {
    rules?: Partial<PostenSimulatorRules>;
    mutualTls?: boolean;
    extraEnv?: Record<string, string>;
    extraSenders?: string[];
    /** Another test environment (e.g. a dev server with a low continue-as-new threshold). */
    env?: TestWorkflowEnvironment;
  } = {},
): Promise<Testbed> {
  const env = options.env ?? (await getTestEnv());
  const sender = randomOrgNumber();
  const taskQueue = uniqueTaskQueue('posten');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-posten-'));
  const logger = createLogger('test', 'WARN');
  const sim = await startPostenSimulator({
    dataDir: path.join(dataDir, 'simulator'),
    logger,
    senders: [sender, ...(options.extraSenders ?? [])],
    mutualTls: options.mutualTls,
    rules: { emptyQueuePollDelayMs: 300, maxRequestsPerSecond: 200, ...options.rules },
  });
  const workerEnv: Record<string, string> = {
    ...sim.env,
    FERJE_DATA_DIR: dataDir,
    POSTEN_SIGNERING_TASK_QUEUE: taskQueue,
    POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND: '100',
    ...options.extraEnv,
  };
  const blobStore = new FsBlobStore(path.join(dataDir, 'blobs'));
  const ctx: IntegrationContext = {
    config: loadFerjeConfig(workerEnv),
    env: workerEnv,
    client: env.client,
    namespace: env.namespace ?? 'default',
    blobStore,
    logger,
  };
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const started: string[] = [];

  const bed: Testbed = {
    env,
    sim,
    sender,
    taskQueue,
    dataDir,
    blobStore,
    workerEnv,
    ctx,
    async startWorker() {
      worker = await createTestWorker({ env, taskQueue, activities: createPostenSigneringActivities(ctx) });
      running = worker.run();
    },
    async stopWorker() {
      if (!worker) return;
      worker.shutdown();
      await running;
      worker = undefined;
    },
    async document(text = 'Contract') {
      return blobStore.put(demoPdf(text), { mediaType: 'application/pdf', fileName: 'contract.pdf' });
    },
    storedBlobs() {
      const root = path.join(dataDir, 'blobs', 'sha256');
      if (!existsSync(root)) return [];
      return readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
        .sort();
    },
    async job(reference, signers, extra = {}) {
      return {
        sender,
        reference,
        title: 'Employment contract',
        documents: [{ title: 'Contract', fileName: 'Contract 2024.pdf', content: await bed.document(reference) }],
        signers,
        ...extra,
      };
    },
    async startJob(input) {
      const workflowId = signatureJobWorkflowId(input.sender, input.reference);
      started.push(workflowId);
      return env.client.workflow.start(postenWorkflowTypes.signatureJob, { workflowId, taskQueue, args: [input] });
    },
    async jobIdOf(reference) {
      let id: string | undefined;
      await bed.waitFor(`job ${reference} created`, () => {
        id = [...sim.model.jobs.values()].find((j) => j.reference === reference && j.sender === sender)?.id;
        return id !== undefined;
      });
      return id!;
    },
    async waitFor(what, predicate, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    control: {
      stats: () => controlRequest<SimStats>(sim.controlUrl, 'GET', '/control/stats'),
      async job(id) {
        const jobs = await controlRequest<ControlJob[]>(sim.controlUrl, 'GET', '/control/jobs');
        const job = jobs.find((j) => j.id === id);
        if (!job) throw new Error(`the simulator has no job ${id}`);
        return job;
      },
      async post(path, body) {
        await controlRequest(sim.controlUrl, 'POST', path, body);
      },
    },
    async close() {
      // Pollers never end on their own: terminate the ones this testbed caused, so the shared server stays clean.
      for (const id of [
        statusPollerWorkflowId(sender),
        ...(options.extraSenders ?? []).map((s) => statusPollerWorkflowId(s)),
      ]) {
        await env.client.workflow
          .getHandle(id)
          .terminate('test finished')
          .catch(() => undefined);
      }
      for (const q of ['q-a', 'q-b']) {
        await env.client.workflow
          .getHandle(statusPollerWorkflowId(sender, q))
          .terminate('test finished')
          .catch(() => undefined);
      }
      for (const id of started) {
        await env.client.workflow
          .getHandle(id)
          .terminate('test finished')
          .catch(() => undefined);
      }
      await bed.stopWorker();
      await sim.stop();
    },
  };
  return bed;
}

async function controlRequest<T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}), headers: { 'content-type': 'application/json' } } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const pin = (n: number): string => String(10_000_000_000 + n).slice(-11);
export const signerWithPin = (n: number, order = 0): PostenSigner => ({
  personalIdentificationNumber: pin(n),
  order,
  notifications: { email: `signer${n}@example.com` },
});

/**
 * What an operator reads about a workflow, decoded as the UI shows it through the codec server: its ID, static
 * summary and details, search attributes, current details, and the summaries of its activities and timers.
 */
export async function operatorView(client: Client, workflowId: string): Promise<string[]> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  const texts = [
    workflowId,
    (await description.staticSummary()) ?? '',
    (await description.staticDetails()) ?? '',
    JSON.stringify(description.typedSearchAttributes.getAll()),
    metadata.currentDetails ?? '',
  ];
  for (const event of (await handle.fetchHistory()).events ?? []) {
    if (!event.userMetadata) continue;
    const { staticSummary, staticDetails } = await decodeUserMetadata(
      client.options.loadedDataConverter,
      event.userMetadata,
    );
    texts.push(String(staticSummary ?? ''), String(staticDetails ?? ''));
  }
  return texts;
}

/** Fails when any marker (a personal number, an e-mail address) is in the operator's view or readable in the history. */
export async function assertNoPersonalData(client: Client, workflowId: string, markers: string[]): Promise<void> {
  const view = (await operatorView(client, workflowId)).join('\n');
  const history = historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory());
  for (const marker of markers) {
    if (view.includes(marker)) throw new Error(`personal data (${marker.length} characters) in the operator's view`);
    if (revealsMarker(history, marker)) throw new Error('personal data readable in the exported history');
  }
}
