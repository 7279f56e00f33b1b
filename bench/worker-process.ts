import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { projectDir } from '../src/config/ferje-config';

/**
 * A worker process started as production starts one: `bin/ferje worker` (the image's entrypoint, `ferje worker`),
 * which makes the worker's process settings (docs/cost-and-scale.md) and runs in the same process, so the child's
 * pid is the worker's. The compiled CLI (dist/, `npm run build`) unless `sources` (the TypeScript through tsx).
 * `nodeOptions` (e.g. a memory probe's `--require`) go through NODE_OPTIONS, after any the caller's env has.
 */
export function spawnFerjeWorker(options: {
  env: Record<string, string | undefined>;
  stdio: StdioOptions;
  sources?: boolean;
  nodeOptions?: string[];
}): ChildProcess {
  const nodeOptions = [options.env.NODE_OPTIONS, ...(options.nodeOptions ?? [])].filter(Boolean).join(' ');
  return spawn(path.join(projectDir, 'bin', 'ferje'), ['worker'], {
    cwd: projectDir,
    env: {
      ...options.env,
      FERJE_NODE: process.execPath,
      ...(options.sources ? { FERJE_CLI_SOURCES: '1' } : {}),
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    stdio: options.stdio,
  });
}
