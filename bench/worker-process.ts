import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { projectDir } from '../src/config/ferje-config';

/**
 * A worker process started as production starts one: `bin/ferje worker` (the image's entrypoint, `ferje worker`),
 * which makes the worker's process settings (docs/cost-and-scale.md) and runs in the same process, so the child's
 * pid is the worker's. The compiled CLI (dist/, `npm run build`) unless `sources` (the TypeScript through tsx).
 * `nodeArgs` (a memory probe's `--require`, `--cpu-prof`, which Node refuses in NODE_OPTIONS) go on the node command
 * line through bin/ferje's FERJE_NODE_ARGS, after the NODE_OPTIONS it sets, so they win.
 */
export function spawnFerjeWorker(options: {
  env: Record<string, string | undefined>;
  stdio: StdioOptions;
  sources?: boolean;
  nodeArgs?: string[];
}): ChildProcess {
  const nodeArgs = [options.env.FERJE_NODE_ARGS, ...(options.nodeArgs ?? [])].filter(Boolean).join(' ');
  return spawn(path.join(projectDir, 'bin', 'ferje'), ['worker'], {
    cwd: projectDir,
    env: {
      ...options.env,
      FERJE_NODE: process.execPath,
      ...(options.sources ? { FERJE_CLI_SOURCES: '1' } : {}),
      ...(nodeArgs ? { FERJE_NODE_ARGS: nodeArgs } : {}),
    },
    stdio: options.stdio,
  });
}
