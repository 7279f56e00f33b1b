import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectDir } from '../../../src/config/ferje-config';
import { testKeyEnv } from '../../harness/keys';

/**
 * The production worker (`ferje worker`, SS12000 queue only) as a separate process, so a test can kill it like a
 * crash would. Resolves once its workers poll.
 */
export async function spawnSs12000Worker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectDir, 'src', 'cli', 'main.ts'), 'worker'], {
    cwd: projectDir,
    // INFO: readiness is the worker's "workers running" line.
    env: { ...process.env, ...testKeyEnv(), FERJE_WORKER_INTEGRATIONS: 'ss12000', ...env, FERJE_LOG_LEVEL: 'INFO' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (seen.includes('workers running')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
      if (seen.length > 100_000) seen = seen.slice(-10_000);
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${seen.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`worker not polling after 90 s: ${seen.slice(-2000)}`)), 90_000).unref();
  });
  return child;
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
