import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../../src/config/ferje-config';
import { testKeyEnv } from '../../test/harness/keys';
import { spawnFerjeWorker } from '../worker-process';
import { freePort } from './server';
import { processCpuSeconds as cpuSecondsOf, statusKb as readStatusKb } from '../common/proc';

/**
 * A production worker (`bin/ferje worker`, the compiled CLI and the prebuilt bundle) in its own process, as the scale bench
 * measures it: its resident set is sampled from /proc, and a preloaded probe writes the main isolate's
 * `process.memoryUsage()` to a file, so the bench can split RSS into V8 heap, external memory and the rest.
 */
export interface MeasuredWorker {
  child: ChildProcess;
  /** Largest VmRSS seen by the sampler, and the kernel's high-water mark (VmHWM), in MB. */
  peakRssMb(): number;
  rssMb(): number;
  /** The probe's latest reading of the main isolate (MB). */
  memoryUsage(): Record<string, number> | undefined;
  /** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
  cpuSeconds(): number;
  /** Starts a new peak: samples from now on only. */
  resetPeak(): void;
  stop(): Promise<void>;
}

/** Builds dist/ (tsc + the workflow bundle) unless asked not to: the bench measures what production runs. */
export function ensureBuild(): void {
  if (process.env.SCALE_SKIP_BUILD === '1' && existsSync(path.join(projectDir, 'dist', 'workflow-bundle.js'))) return;
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: projectDir, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

const PROBE = `
const { writeFileSync } = require('node:fs');
const file = process.env.FERJE_BENCH_MEMORY_PROBE;
if (file) {
  const mb = (n) => Math.round((n / 1048576) * 10) / 10;
  setInterval(() => {
    const m = process.memoryUsage();
    writeFileSync(file, JSON.stringify({ rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed),
      external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) }));
  }, 500).unref();
}
`;

export async function spawnWorker(options: {
  dir: string;
  env: Record<string, string>;
  /** Worker process's own node flags (e.g. --max-old-space-size). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}): Promise<MeasuredWorker> {
  const probePath = path.join(options.dir, 'memory-probe.cjs');
  const probeOut = path.join(options.dir, `memory-${Date.now()}.json`);
  writeFileSync(probePath, PROBE);
  const healthPort = await freePort();
  // As production starts a worker (bin/ferje worker, the compiled CLI); the probe and any extra flags through
  // NODE_OPTIONS.
  const child = spawnFerjeWorker({
    nodeArgs: [
      ...(options.nodeArgs ?? process.env.SCALE_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--require',
      probePath,
    ],
    env: {
      ...process.env,
      ...testKeyEnv(),
      NODE_ENV: 'production',
      FERJE_WORKFLOW_BUNDLE: path.join(projectDir, 'dist', 'workflow-bundle.js'),
      FERJE_LOG_LEVEL: 'INFO',
      FERJE_BENCH_MEMORY_PROBE: probeOut,
      FERJE_HEALTH_ADDRESS: `127.0.0.1:${healthPort}`,
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr.slice(-2000)}`))),
  );
  exited.catch(() => undefined);
  // The health server starts once every queue's worker runs and bootstrap is done: "live" is ready enough here.
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    const ready = await Promise.race([
      fetch(`http://127.0.0.1:${healthPort}/health/live`).then(
        (r) => r.status === 200,
        () => false,
      ),
      exited,
    ]);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker not ready: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  let peakKb = 0;
  const sample = (): number => {
    const kb = readStatusKb(pid, 'VmRSS');
    if (kb > peakKb) peakKb = kb;
    return kb;
  };
  const timer = setInterval(sample, 100);
  return {
    child,
    peakRssMb: () => {
      sample();
      return round(peakKb / 1024);
    },
    rssMb: () => round(sample() / 1024),
    memoryUsage: () => {
      try {
        return JSON.parse(readFileSync(probeOut, 'utf8')) as Record<string, number>;
      } catch {
        return undefined;
      }
    },
    cpuSeconds: () => cpuSecondsOf(pid),
    resetPeak: () => {
      peakKb = 0;
    },
    async stop() {
      clearInterval(timer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
