import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freeServerPorts } from '../../src/cluster/temporal-server';
import { freePort } from '../../src/cluster/free-port';
import { startCluster, type RunningCluster } from '../../src/cluster/topology';
import { buildWorkflowBundle } from '../../src/worker/bundle';
import { spawnTs, type ChildHandle } from './processes';

/**
 * The self-hosted cluster as `ferje cluster up` runs it (the Temporal server built from source, on Postgres), in a
 * fresh directory on free ports. Postgres skips fsync: a test machine's power loss is not what these tests are about.
 */
export async function startTestCluster(): Promise<RunningCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-cluster-'));
  return startCluster({
    dir,
    ports: await freeServerPorts(),
    postgresPort: await freePort(),
    postgresSettings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    log: (line) => {
      if (process.env.FERJE_TEST_CLUSTER_LOG) console.log(`cluster: ${line}`);
    },
  });
}

/** The prebuilt production bundle when the runner built one, else bundled once into a file for the worker processes. */
export async function workflowBundleFile(): Promise<string> {
  if (process.env.FERJE_WORKFLOW_BUNDLE) return process.env.FERJE_WORKFLOW_BUNDLE;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ferje-bundle-')), 'workflow-bundle.js');
  writeFileSync(file, (await buildWorkflowBundle()).code);
  return file;
}

/**
 * One "machine": `ferje worker` (the production command) in its own process with its own data directory. A killed
 * machine comes back as a new process on the same directory.
 */
export class WorkerMachine {
  process: ChildHandle | undefined;
  readonly dataDir: string;

  constructor(
    readonly name: string,
    root: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.dataDir = path.join(root, name);
    mkdirSync(this.dataDir, { recursive: true });
  }

  async start(): Promise<void> {
    this.process = spawnTs('src/cli/main.ts', ['worker'], {
      ...this.env,
      FERJE_DATA_DIR: this.dataDir,
      FERJE_LOG_LEVEL: 'INFO',
    });
    await this.process.waitFor(/"workers running"|workers running/, 120_000);
  }

  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  /** The SDK's default worker identity is `<pid>@<host>`. */
  owns(identity: string): boolean {
    return this.pid !== undefined && identity.startsWith(`${this.pid}@`);
  }

  async kill(): Promise<void> {
    const running = this.process;
    if (!running) return;
    running.child.kill('SIGKILL');
    await running.exited;
    this.process = undefined;
  }

  async stop(): Promise<void> {
    const running = this.process;
    if (!running) return;
    running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
    await running.exited;
    clearTimeout(timer);
    this.process = undefined;
  }
}

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

export interface InFlightActivity {
  activityType: string;
  attempt: number;
  identity: string;
}

/** Waits until a worker has started an activity of this type in the workflow (first attempt) and says which. */
export async function activityInFlight(
  client: Client,
  workflowId: string,
  activityType: string,
  timeoutMs = 120_000,
): Promise<InFlightActivity> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { raw } = await client.workflow.getHandle(workflowId).describe();
    for (const pending of raw.pendingActivities ?? []) {
      if (pending.activityType?.name !== activityType || pending.state !== STARTED) continue;
      if (pending.lastWorkerIdentity) {
        return { activityType, attempt: pending.attempt ?? 1, identity: pending.lastWorkerIdentity };
      }
    }
    if (Date.now() > deadline) throw new Error(`no ${activityType} in flight in ${workflowId} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every start of an activity type in a workflow's history: which worker took which attempt. */
export async function activityStarts(
  client: Client,
  workflowId: string,
  activityType: string,
): Promise<{ attempt: number; identity: string }[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const starts: { attempt: number; identity: string }[] = [];
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '');
    const st = event.activityTaskStartedEventAttributes;
    if (st && scheduled.get(String(st.scheduledEventId)) === activityType) {
      starts.push({ attempt: st.attempt ?? 1, identity: st.identity ?? '' });
    }
  }
  return starts;
}
