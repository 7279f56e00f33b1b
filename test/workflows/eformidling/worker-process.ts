import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectDir } from '../../../src/config/ferje-config';

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts test/fixtures/eformidling-worker-process.ts and resolves once it polls. */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectDir, 'test', 'fixtures', 'eformidling-worker-process.ts')],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: projectDir,
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return {
    child,
    pid: child.pid as number,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}
