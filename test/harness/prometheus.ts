import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prometheusPath } from '../../scripts/setup';
import { freePort } from './ports';

/** Debian's `prometheus` package (scripts/setup.ts installs it); promtool comes with it. */
export { prometheusPath };
export const promtoolPath = path.join(path.dirname(prometheusPath), 'promtool');

export interface RunningPrometheus {
  url: string;
  /** The value of an instant query's single result, or undefined when it has no result (yet). */
  value(expr: string): Promise<number | undefined>;
  /** Polls until the query has a result for which `ok` holds. */
  waitFor(expr: string, ok: (v: number) => boolean, timeoutMs?: number): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real, short-lived Prometheus scraping the given targets every second, with its own config and storage in a
 * temp directory and its HTTP API on a free loopback port.
 */
export async function startPrometheus(targets: string[], job = 'ferje'): Promise<RunningPrometheus> {
  if (!existsSync(prometheusPath)) throw new Error(`${prometheusPath} missing: run "npm run setup"`);
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      `  - job_name: ${job}`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = spawn(
    prometheusPath,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const value = async (expr: string): Promise<number | undefined> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    const [first] = body.data?.result ?? [];
    return first ? Number(first.value[1]) : undefined;
  };
  return {
    url,
    value,
    async waitFor(expr, ok, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last: number | undefined;
      for (;;) {
        last = await value(expr);
        if (last !== undefined && ok(last)) return last;
        if (Date.now() > until) throw new Error(`${expr} stayed at ${String(last)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    output: () => out,
    stop,
  };
}

/** `promtool test rules <files>`: exit code and output. */
export function promtoolTestRules(files: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(promtoolPath, ['test', 'rules', ...files], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
