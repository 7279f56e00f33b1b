/**
 * The standing chaos bench (issue 11): mixed load across all four integrations on the embedded stack, a separate
 * worker process SIGKILLed at random intervals, the whole stack restarted once, partner faults injected. Prints one
 * JSON line. Counts come from Temporal (how each flow ended) and from the simulators' own records (duplicates).
 *
 *   npm run bench:chaos                      (defaults: 4 flows per integration, 8 kills)
 *   CHAOS_FLOWS=8 CHAOS_KILLS=12 CHAOS_SEED=7 npm run bench:chaos
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { FsBlobStore } from '../../src/blobs/fs-blob-store';
import { ss12000StatusQuery } from '../../src/contract/ss12000';
import { startDevStack, type DevStack } from '../../src/dev/stack';
import { createLogger } from '../../src/logging/logger';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleOptions } from '../../src/worker/bundle';
import { freePort } from '../../test/harness/ports';
import {
  changeSs12000Data,
  duplicateSideEffects,
  injectEformidlingIncoming,
  injectPartnerFaults,
  startEformidlingMessages,
  startPostenJobs,
  startSignstashOperations,
  startSs12000Subscription,
  type StartedLoad,
} from './load';
import { spawnFerjeWorker } from '../worker-process';

const flowsPerIntegration = Number(process.env.CHAOS_FLOWS ?? 4);
const kills = Number(process.env.CHAOS_KILLS ?? 8);
let seed = Number(process.env.CHAOS_SEED ?? 42);
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const logger = createLogger('chaos', 'ERROR');

/** Failure types a flow may end with by design (documented in docs/<integration>.md); anything else is a defect. */
const documentedFailureTypes = /^Ferje|^Posten|^Eformidling|^Signstash|^Ss12000/;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-chaos-'));
  const bundleFile = path.join(dataDir, 'workflow-bundle.js');
  const quiet = (): void => undefined;
  const bundlerLogger = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: console.error, log: quiet };
  writeFileSync(bundleFile, (await bundleWorkflowCode({ ...bundleOptions(), logger: bundlerLogger })).code);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FERJE_DATA_DIR: dataDir,
    FERJE_DEV_TEMPORAL_PORT: String(await freePort()),
    FERJE_DEV_UI_PORT: String(await freePort()),
    FERJE_INGRESS_PORT: String(await freePort()),
    FERJE_CODEC_SERVER_PORT: String(await freePort()),
    // Fixed simulator ports, so that the restarted stack's partners are where the flows left them.
    FERJE_DEV_SIMULATOR_BASE_PORT: String(20_000 + Math.floor(random() * 30_000)),
    FERJE_WORKFLOW_BUNDLE: bundleFile,
    FERJE_LOG_LEVEL: 'ERROR',
    FERJE_CODEC_KEYS: '',
    FERJE_CODEC_KEY_FILE: '',
  };
  let stack: DevStack = await startDevStack({ env, logger, worker: false });
  let worker = startWorker(stack);
  const client = (): Client => stack.platform.client;
  const blobs = new FsBlobStore(stack.platform.config.blobDir);

  await injectPartnerFaults(stack.env);
  const load: StartedLoad[] = [
    ...(await startPostenJobs(client(), blobs, stack.env, flowsPerIntegration)),
    ...(await startEformidlingMessages(client(), blobs, flowsPerIntegration)),
    ...(await startSignstashOperations(client(), blobs, stack.env, flowsPerIntegration)),
  ];
  const ss12000 = await startSs12000Subscription(client(), stack.env);
  load.push(ss12000);
  await injectEformidlingIncoming(stack.env, flowsPerIntegration);

  const recoveries: number[] = [];
  const pendingRecoveries: Promise<void>[] = [];
  let stackRestarts = 0;
  for (let k = 0; k < kills; k++) {
    await sleep(3000 + random() * 9000);
    if (k === 2) await changeSs12000Data(stack.env, ss12000.huvudman);
    const interrupted = await flowsWithRunningActivities(client(), load);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    if (k === Math.floor(kills / 2)) {
      await stack.stop();
      stack = await startDevStack({ env, logger, worker: false });
      stackRestarts++;
    } else {
      await sleep(500 + random() * 1500);
    }
    const startedAt = Date.now();
    worker = startWorker(stack);
    pendingRecoveries.push(
      measureRecovery(client(), interrupted, startedAt).then((seconds) => {
        recoveries.push(seconds);
      }),
    );
  }
  await Promise.all(pendingRecoveries);
  // The last change after the chaos: the subscription counts as completed once a pass after it has finished.
  const subscription = client().workflow.getHandle(ss12000.workflowId);
  const passBeforeLastChange = (await subscription.query(ss12000StatusQuery)).passNumber;
  await changeSs12000Data(stack.env, ss12000.huvudman);
  ss12000.completedAfterPass = passBeforeLastChange;

  const outcome = await settle(client(), load, Date.now() + 10 * 60_000);
  const duplicates = await duplicateSideEffects(stack.env, dataDir);
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'chaos',
      flows: load.length,
      completed: outcome.completed,
      failedTyped: outcome.failedTyped,
      failedUntyped: outcome.failedUntyped,
      stuck: outcome.stuck,
      duplicateSideEffects: Object.values(duplicates).reduce((a, b) => a + b, 0),
      duplicates,
      missingDocuments: outcome.missingDocuments,
      kills,
      stackRestarts,
      maxRecoverySeconds: Math.max(0, ...recoveries),
      recoverySeconds: recoveries.map((s) => Math.round(s * 10) / 10),
      failureTypes: outcome.failureTypes,
    }),
  );
}

function startWorker(stack: DevStack): ChildProcess {
  const child = spawnFerjeWorker({
    sources: true,
    env: { ...stack.env, FERJE_SHUTDOWN_GRACE_TIME: '2s' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

/** The flows that had an activity running when the worker died: those are the ones a crash interrupts. */
async function flowsWithRunningActivities(client: Client, load: StartedLoad[]): Promise<string[]> {
  const out: string[] = [];
  for (const flow of load) {
    const d = await client.workflow.getHandle(flow.workflowId).describe();
    if (d.status.name !== 'RUNNING') continue;
    const raw = d.raw.pendingActivities ?? [];
    if (raw.some((a) => String(a.state) === 'PENDING_ACTIVITY_STATE_STARTED' || Number(a.state) === 2)) {
      out.push(flow.workflowId);
    }
  }
  return out;
}

/**
 * Seconds from the new worker's start until every interrupted flow moved again: its interrupted activity started
 * a new attempt, or completed, or the flow closed.
 */
async function measureRecovery(client: Client, workflowIds: string[], startedAt: number): Promise<number> {
  let worst = 0;
  await Promise.all(
    workflowIds.map(async (id) => {
      const deadline = Date.now() + 5 * 60_000;
      for (;;) {
        const d = await client.workflow
          .getHandle(id)
          .describe()
          .catch(() => undefined);
        if (!d) return;
        const moved =
          d.status.name !== 'RUNNING' ||
          (d.raw.pendingActivities ?? []).every(
            (a) => toMs(a.lastStartedTime) >= startedAt || toMs(a.lastHeartbeatTime) >= startedAt,
          );
        if (moved) {
          worst = Math.max(worst, (Date.now() - startedAt) / 1000);
          return;
        }
        if (Date.now() > deadline) {
          worst = Math.max(worst, 300);
          return;
        }
        await sleep(500);
      }
    }),
  );
  return worst;
}

function toMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t?.seconds) return 0;
  return Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

interface Outcome {
  completed: number;
  failedTyped: number;
  failedUntyped: number;
  stuck: number;
  missingDocuments: number;
  failureTypes: Record<string, number>;
}

async function settle(client: Client, load: StartedLoad[], deadline: number): Promise<Outcome> {
  const o: Outcome = {
    completed: 0,
    failedTyped: 0,
    failedUntyped: 0,
    stuck: 0,
    missingDocuments: 0,
    failureTypes: {},
  };
  await Promise.all(
    load.map(async (flow) => {
      const handle = client.workflow.getHandle(flow.workflowId);
      if (flow.longLived) {
        // The subscription runs on: it counts as completed once a pass after the last data change has finished.
        for (;;) {
          const s = await handle.query(ss12000StatusQuery).catch(() => undefined);
          const after = flow.completedAfterPass ?? 0;
          if (s && s.passNumber > after && s.currentPass === undefined && s.pending.steps.length === 0) {
            o.completed++;
            return;
          }
          if (Date.now() > deadline) {
            o.stuck++;
            return;
          }
          await sleep(1000);
        }
      }
      const result = await Promise.race([
        handle.result().then(
          (value: unknown) => ({ kind: 'done' as const, value }),
          (err: unknown) => ({ kind: 'failed' as const, err }),
        ),
        sleep(Math.max(0, deadline - Date.now())).then(() => ({ kind: 'stuck' as const })),
      ]);
      if (result.kind === 'stuck') o.stuck++;
      else if (result.kind === 'done') {
        o.completed++;
        o.missingDocuments += await missingDocuments(flow, result.value);
      } else {
        const cause = result.err instanceof WorkflowFailedError ? result.err.cause : undefined;
        const type = cause instanceof ApplicationFailure ? (cause.type ?? '') : '';
        o.failureTypes[type || 'untyped'] = (o.failureTypes[type || 'untyped'] ?? 0) + 1;
        if (documentedFailureTypes.test(type)) o.failedTyped++;
        else o.failedUntyped++;
      }
    }),
  );
  return o;
}

/** A completed flow that should carry documents but lacks one (and does not say so) counts as missing documents. */
async function missingDocuments(flow: StartedLoad, value: unknown): Promise<number> {
  const v = value as Record<string, unknown>;
  if (flow.integration === 'postenSignering' && v.status === 'COMPLETED_SUCCESSFULLY') {
    const signers = (v.signers as { status: string; xades?: unknown }[]) ?? [];
    const declared = Array.isArray(v.documentsMissing) ? v.documentsMissing.length : 0;
    const missing = (v.pades ? 0 : 1) + signers.filter((s) => s.status === 'SIGNED' && !s.xades).length;
    return Math.max(0, missing - declared);
  }
  if (flow.integration === 'signstash') {
    const docs = (v.documents as { signStatus: string; signed?: unknown }[]) ?? [];
    return docs.filter((d) => d.signStatus === 'SIGNED' && !d.signed).length;
  }
  return 0;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
