import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectDir } from '../../src/config/ferje-config';

export interface Ss12000ScaleResult {
  ss12000Scales: number[];
  ss12000Entities: number[];
  ss12000EntitiesPerSecond: number[];
  ss12000BaselineEntitiesPerSecond: number[];
  ss12000RatioToBaseline: number[];
  ss12000RssMb: number[];
}

/**
 * The SS12000 full-sync bench (bench/ss12000/full-sync.ts: its plain fetch-validate-upsert loop is the baseline, on
 * the embedded SQLite store) once per scale, each in its own process so no run inherits another's heap.
 */
export async function runSs12000Scales(scales: number[]): Promise<Ss12000ScaleResult> {
  const result: Ss12000ScaleResult = {
    ss12000Scales: scales,
    ss12000Entities: [],
    ss12000EntitiesPerSecond: [],
    ss12000BaselineEntitiesPerSecond: [],
    ss12000RatioToBaseline: [],
    ss12000RssMb: [],
  };
  for (const scale of scales) {
    // The ratio's target is at 1x: three rounds there (their medians), one elsewhere (memory does not need them).
    const rounds = scale === 1 ? '3' : '1';
    const line = await runFullSync(['--scale', String(scale), '--stores', 'sqlite', '--rounds', rounds]);
    result.ss12000Entities.push(line.entities as number);
    result.ss12000EntitiesPerSecond.push(line.entitiesPerSecond as number);
    result.ss12000BaselineEntitiesPerSecond.push(line.baselineEntitiesPerSecond as number);
    result.ss12000RatioToBaseline.push(line.ratioToBaseline as number);
    result.ss12000RssMb.push(line.workerPeakRssMb as number);
  }
  return result;
}

async function runFullSync(args: string[]): Promise<Record<string, unknown>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectDir, 'bench', 'ss12000', 'full-sync.ts'), ...args],
    // scale.ts built dist/ already.
    { cwd: projectDir, env: { ...process.env, SCALE_SKIP_BUILD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  // The test server's banner shares stdout: the result is the last JSON line.
  const json = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (code !== 0 || !json) throw new Error(`bench:ss12000 ${args.join(' ')} failed (${code}): ${stderr}`);
  return JSON.parse(json) as Record<string, unknown>;
}
