import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectDir } from '../../src/config/ferje-config';
import { testKeyEnv } from './keys';

export interface ChildHandle {
  child: ChildProcess;
  output(): string;
  /** Resolves when a line matching the pattern was printed (stdout or stderr). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Runs a TypeScript entry point in a child process (a separate worker that a test can SIGKILL). */
export function spawnTs(entry: string, args: string[], env: NodeJS.ProcessEnv): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(projectDir, entry), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: projectDir,
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in output:\n${out.slice(-2000)}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then((code) => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited (${code}) before ${pattern}:\n${out.slice(-2000)}`));
          }
        });
        check();
      });
    },
  };
}

export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Runs the `ferje` CLI in its own process against a Temporal server, with the test key; resolves when it exits. */
export async function runFerjeCli(
  address: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawnTs('src/cli/main.ts', args, {
    ...process.env,
    ...testKeyEnv(),
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    ...env,
  });
  const code = await child.exited;
  return { code, output: child.output() };
}
