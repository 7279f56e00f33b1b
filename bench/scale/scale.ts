import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { runOpenJobs } from './open-jobs';
import { benchServerKind, startBenchServer } from './server';
import { runSs12000Scales } from './ss12000';
import { runWebhooks } from './webhooks';
import { ensureBuild, round, spawnWorker } from './worker';

/**
 * Ferje's cost and how it grows (docs/cost-and-scale.md). Prints one JSON line:
 * - idleWorkerRssMb: a production worker serving every task queue, no flows (peak VmRSS over IDLE_SECONDS);
 * - Posten with SCALE_OPEN_JOBS open jobs (default 100,1000,10000), SCALE_SIGNED (1000) of them signed per level
 *   while all stay open: worker peak RSS, status changes/s, CPU per job, history sizes, lost/duplicate changes;
 * - webhook → signal latency of SCALE_WEBHOOKS (200) concurrent webhooks through the ingress;
 * - SS12000 at SCALE_SS12000 (0.2,1,5) × the default size against the plain loop (bench/ss12000/full-sync.ts).
 * SCALE_SKIP=idle,posten,webhooks,ss12000 leaves parts out; SCALE_SKIP_BUILD=1 reuses dist/; SCALE_SERVER=cluster runs
 * every part against the production topology (Temporal built from source on Postgres) instead of the dev server.
 */
const list = (name: string, fallback: string): number[] =>
  (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number);
const skip = new Set((process.env.SCALE_SKIP ?? '').split(','));
const IDLE_SECONDS = 10;

async function main(): Promise<void> {
  const started = Date.now();
  ensureBuild();
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-bench-scale-'));
  const server = await startBenchServer(dir, benchServerKind());
  const out: Record<string, unknown> = {};
  /** Each part's figures also go to stderr as soon as it finishes: a run cut short keeps what it measured. */
  const part = (figures: object): void => {
    Object.assign(out, figures);
    console.error(`bench:scale part ${JSON.stringify(figures)}`);
  };
  try {
    if (!skip.has('idle')) {
      const idle = await spawnWorker({
        dir,
        env: { TEMPORAL_ADDRESS: server.address, FERJE_DATA_DIR: path.join(dir, 'idle') },
      });
      await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
      const usage = idle.memoryUsage();
      part({
        idleWorkerRssMb: idle.peakRssMb(),
        idleWorkerHeapUsedMb: usage?.heapUsed,
        idleWorkerExternalMb: usage?.external,
      });
      await idle.stop();
    }
    if (!skip.has('webhooks')) {
      part(await runWebhooks(server, path.join(dir, 'ingress'), Number(process.env.SCALE_WEBHOOKS ?? 200)));
    }
    // Before the longest part, so a run cut short still has these.
    if (!skip.has('ss12000')) part(await runSs12000Scales(list('SCALE_SS12000', '0.2,1,5')));
    if (!skip.has('posten')) {
      part(
        await runOpenJobs({
          dir,
          address: server.address,
          client: server.client,
          levels: list('SCALE_OPEN_JOBS', '100,1000,10000'),
          signed: Number(process.env.SCALE_SIGNED ?? 1000),
        }),
      );
    }
  } finally {
    await server.stop();
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      ...out,
      seconds: Math.round((Date.now() - started) / 1000),
      cpus: cpus().length,
      loadAverage1m: round(loadavg()[0]),
    }),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
