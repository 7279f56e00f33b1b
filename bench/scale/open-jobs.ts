import path from 'node:path';
import type { Client } from '@temporalio/client';
import { FsBlobStore } from '../../src/blobs/fs-blob-store';
import {
  postenJobProgressQuery,
  postenWorkflowTypes,
  signatureJobWorkflowId,
  statusPollerWorkflowId,
} from '../../src/contract/posten-signering';
import type { PostenSignatureJobInput } from '../../src/contract/posten-signering';
import { taskQueues } from '../../src/contract/task-queues';
import { createLogger } from '../../src/logging/logger';
import { demoPdf } from '../../src/modules/posten-signering/demo';
import { startPostenSimulator } from '../../src/simulators/posten-signering';
import { mapLimit, waitFor } from './server';
import { round, spawnWorker } from './worker';

const SENDER = '910000003';
/** Each job has three signers and the bench never lets the third sign: every job stays open to the end. */
const SIGNERS = 3;
/** A level's changes not confirmed after this long without any confirm count as lost. */
const STALL_MS = 120_000;

export interface OpenJobsResult {
  openJobs: number[];
  signedPerLevel: number[];
  workerPeakRssMb: number[];
  workerRssAfterMb: number[];
  /** The worker's main-isolate heap after each level (workflow threads' heaps are in RSS only). */
  workerHeapUsedMb: number[];
  statusChangesPerSecond: number[];
  /** Changes over the whole time from the signatures to the last confirm, the poller's wake-up included. */
  statusChangesPerSecondFromSigning: number[];
  /**
   * The steady rate, the same measure at every level: changes confirmed between the 10th and the 90th percentile of
   * the level's confirms, per second. Leaves out the pipeline's fill (poll, hand-over, downloads and the settle wait
   * before a job's first confirm) and its drain, which weigh more the fewer changes a level has. The target's figure.
   */
  statusChangesPerSecondSteady: number[];
  /** Seconds from the signatures to the first confirm: the pipeline's fill, not its rate. */
  secondsToFirstConfirm: number[];
  createsPerSecond: number[];
  cpuSecondsPerJob: number[];
  cpuSecondsPerStatusChange: number[];
  historyEventsPerJob: number[];
  pollerHistoryEvents: number[];
  lostChanges: number;
  duplicateConfirms: number;
  redeliveries: number;
  http429: number;
  maxCachedWorkflows: number;
}

/**
 * Posten with growing numbers of open jobs (created with the simulator's request budget lifted, so the figures are
 * Ferje's cost, not Posten's 10 requests/second), each level followed by up to `signed` signatures on jobs that
 * stay open. Creation is cumulative: the 1 000 level adds 900 jobs to the 100 level's.
 */
export async function runOpenJobs(options: {
  dir: string;
  address: string;
  client: Client;
  levels: number[];
  signed: number;
  workerEnv?: Record<string, string>;
}): Promise<OpenJobsResult> {
  const { client, levels } = options;
  const logger = createLogger('bench', 'ERROR', () => undefined);
  const sim = await startPostenSimulator({
    dataDir: path.join(options.dir, 'posten-simulator'),
    logger,
    senders: [SENDER],
    persistState: false,
    rules: {
      maxRequestsPerSecond: 1_000_000,
      // Short, so the poller is not asleep for long between levels; the measured rate starts at the first confirm.
      emptyQueuePollDelayMs: 500,
      // XSD validation (libxml2 as WASM) costs the simulator ~125 ms of CPU per create on the same two cores.
      schemaValidation: false,
      // No change comes back for redelivery while the bench waits on a backlog.
      redeliveryMs: 60 * 60_000,
    },
  });
  const maxCachedWorkflows = Number(
    options.workerEnv?.FERJE_MAX_CACHED_WORKFLOWS ?? process.env.FERJE_MAX_CACHED_WORKFLOWS ?? 50,
  );
  const worker = await spawnWorker({
    dir: options.dir,
    env: {
      ...sim.env,
      TEMPORAL_ADDRESS: options.address,
      FERJE_DATA_DIR: path.join(options.dir, 'ferje'),
      FERJE_WORKER_INTEGRATIONS: 'postenSignering',
      FERJE_LOG_LEVEL: 'WARN',
      POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND: '1000',
      POSTEN_SIGNERING_POLLERS: SENDER,
      ...options.workerEnv,
    },
  });
  const blobs = new FsBlobStore(path.join(options.dir, 'ferje', 'blobs'));
  const result: OpenJobsResult = {
    openJobs: levels,
    signedPerLevel: [],
    workerPeakRssMb: [],
    workerRssAfterMb: [],
    workerHeapUsedMb: [],
    statusChangesPerSecond: [],
    statusChangesPerSecondFromSigning: [],
    statusChangesPerSecondSteady: [],
    secondsToFirstConfirm: [],
    createsPerSecond: [],
    cpuSecondsPerJob: [],
    cpuSecondsPerStatusChange: [],
    historyEventsPerJob: [],
    pollerHistoryEvents: [],
    lostChanges: 0,
    duplicateConfirms: 0,
    redeliveries: 0,
    http429: 0,
    maxCachedWorkflows,
  };
  /** Signatures made so far per job reference index. */
  const signatures: number[] = [];
  const simJobId = new Map<string, string>();
  try {
    for (const level of levels) {
      worker.resetPeak();
      // ---- create jobs up to `level` ----
      const from = signatures.length;
      const cpuBeforeCreate = worker.cpuSeconds();
      const createStarted = Date.now();
      await mapLimit(
        Array.from({ length: level - from }, (_, k) => from + k),
        16,
        async (i) => {
          signatures[i] = 0;
          const document = await blobs.put(demoPdf(`scale ${i}`), { mediaType: 'application/pdf' });
          const input: PostenSignatureJobInput = {
            sender: SENDER,
            reference: `scale-${i}`,
            title: 'Contract',
            documents: [{ title: 'Contract', fileName: 'contract.pdf', content: document }],
            signers: Array.from({ length: SIGNERS }, (_, s) => ({
              personalIdentificationNumber: pin(SIGNERS * i + s),
              notifications: { email: `s${s}-${i}@example.com` },
            })),
          };
          await client.workflow.start(postenWorkflowTypes.signatureJob, {
            workflowId: signatureJobWorkflowId(SENDER, input.reference),
            taskQueue: taskQueues.postenSignering,
            args: [input],
          });
        },
      );
      const created = await waitFor(() => sim.model.stats.creates >= level, 20 * 60_000);
      if (!created) throw new Error(`only ${sim.model.stats.creates} of ${level} jobs were created`);
      result.createsPerSecond.push(round((level - from) / ((Date.now() - createStarted) / 1000)));
      // Creation hands each job to the poller after the create call returns: let those settle before measuring.
      await new Promise((r) => setTimeout(r, 3000));
      result.cpuSecondsPerJob.push(round((worker.cpuSeconds() - cpuBeforeCreate) / Math.max(1, level - from)));
      for (const job of sim.model.jobs.values()) if (job.reference) simJobId.set(job.reference, job.id);

      // ---- sign up to `signed` jobs that stay open (the least-signed first) ----
      const toSign = signatures
        .map((count, i) => ({ count, i }))
        .filter((j) => j.count < SIGNERS - 1)
        .sort((a, b) => a.count - b.count || a.i - b.i)
        .slice(0, options.signed);
      const confirmsBefore = sim.model.stats.confirms;
      const cpuBeforeSign = worker.cpuSeconds();
      let firstConfirmAt = 0;
      let lastConfirmAt = 0;
      let seen = confirmsBefore;
      /** When the confirm count grew, and to what (this level's confirms only). */
      const progress: ConfirmProgress[] = [];
      const signedAt = Date.now();
      for (const j of toSign) {
        signatures[j.i]++;
        sim.model.sign(simJobId.get(`scale-${j.i}`)!, signatures[j.i]);
      }
      const target = confirmsBefore + toSign.length;
      await waitFor(() => {
        const now = sim.model.stats.confirms;
        if (now > seen) {
          if (seen === confirmsBefore) firstConfirmAt = Date.now();
          lastConfirmAt = Date.now();
          seen = now;
          progress.push({ at: lastConfirmAt, confirmed: now - confirmsBefore });
        }
        // Waits while confirms keep coming: on a loaded machine a fixed deadline counted slow changes as lost.
        return now >= target || Date.now() - (lastConfirmAt || signedAt) > STALL_MS;
      }, 60 * 60_000);
      const confirmed = sim.model.stats.confirms - confirmsBefore;
      // The steady rate, from the first confirm to the last: the poller's wake-up after an empty queue is not Ferje's
      // throughput (it is at most emptyQueuePollDelayMs, the same at every level).
      const span = (lastConfirmAt - firstConfirmAt) / 1000;
      result.statusChangesPerSecond.push(
        round(confirmed > 1 && span > 0 ? (confirmed - 1) / span : confirmed / ((Date.now() - signedAt) / 1000)),
      );
      result.statusChangesPerSecondFromSigning.push(
        round(confirmed / Math.max(0.001, ((lastConfirmAt || Date.now()) - signedAt) / 1000)),
      );
      result.statusChangesPerSecondSteady.push(round(steadyRate(progress, toSign.length)));
      result.secondsToFirstConfirm.push(round(firstConfirmAt > 0 ? (firstConfirmAt - signedAt) / 1000 : 0));
      result.cpuSecondsPerStatusChange.push(round((worker.cpuSeconds() - cpuBeforeSign) / Math.max(1, confirmed)));
      result.signedPerLevel.push(toSign.length);
      result.workerPeakRssMb.push(worker.peakRssMb());
      result.workerRssAfterMb.push(worker.rssMb());
      result.workerHeapUsedMb.push(worker.memoryUsage()?.heapUsed ?? 0);
      result.lostChanges += toSign.length - confirmed;
      result.lostChanges += await unrecordedChanges(client, toSign, signatures);

      // ---- history sizes: a sample of the open jobs, and the poller ----
      const sample = sampleIndexes(level, 100);
      const lengths = await mapLimit(
        sample,
        8,
        async (i) =>
          (await client.workflow.getHandle(signatureJobWorkflowId(SENDER, `scale-${i}`)).describe()).historyLength,
      );
      result.historyEventsPerJob.push(round(lengths.reduce((a, b) => a + b, 0) / lengths.length));
      result.pollerHistoryEvents.push(
        (await client.workflow.getHandle(statusPollerWorkflowId(SENDER)).describe()).historyLength,
      );
      console.error(`bench:scale posten level ${level} ${JSON.stringify(result)}`);
    }
    result.duplicateConfirms = sim.model.stats.duplicateConfirms;
    result.redeliveries = sim.model.stats.redeliveries;
    result.http429 = sim.model.stats.http429;
    return result;
  } finally {
    await worker.stop();
    await sim.stop();
  }
}

/**
 * Ferje's own record of a sample of the signed jobs: each must show as many processed changes as signatures made.
 * A change the simulator saw confirmed but the job never took would be lost although Posten forgot it.
 */
async function unrecordedChanges(client: Client, signedNow: { i: number }[], signatures: number[]): Promise<number> {
  const sample = signedNow.filter((_, k) => k % Math.max(1, Math.floor(signedNow.length / 50)) === 0);
  const missing = await mapLimit(sample, 8, async ({ i }) => {
    const progress = await client.workflow
      .getHandle(signatureJobWorkflowId(SENDER, `scale-${i}`))
      .query(postenJobProgressQuery);
    return Math.max(0, signatures[i] - progress.changesProcessed);
  });
  return missing.reduce((a, b) => a + b, 0);
}

interface ConfirmProgress {
  at: number;
  confirmed: number;
}

/**
 * Changes per second between the moments the 10th and the 90th percentile of `total` confirms were seen (sampled
 * every 50 ms). Falls back to first-to-last when a level has too few changes for two distinct percentiles.
 */
export function steadyRate(progress: ConfirmProgress[], total: number): number {
  if (progress.length < 2 || total < 2) return 0;
  const at = (share: number): ConfirmProgress =>
    progress.find((p) => p.confirmed >= Math.max(1, Math.ceil(share * total))) ?? progress[progress.length - 1];
  let from = at(0.1);
  let to = at(0.9);
  if (to.at <= from.at) {
    from = progress[0];
    to = progress[progress.length - 1];
  }
  return to.at > from.at ? (to.confirmed - from.confirmed) / ((to.at - from.at) / 1000) : 0;
}

function sampleIndexes(n: number, k: number): number[] {
  const step = Math.max(1, Math.floor(n / k));
  return Array.from({ length: Math.min(k, n) }, (_, j) => j * step);
}

function pin(n: number): string {
  return String(10_000_000_000 + n).slice(-11);
}
