import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectDir } from '../../src/config/ferje-config';
import { spawnTs } from '../harness/processes';
import { freePort } from '../harness/ports';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('ferje dev (the embedded stack as a process)', () => {
  it('starts everything, prints where it is, and stops everything on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-devstack-'));
    const [temporalPort, uiPort, ingressPort, codecPort, documentsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const stack = spawnTs('src/cli/main.ts', ['dev'], {
      ...process.env,
      FERJE_DATA_DIR: dataDir,
      FERJE_DEV_TEMPORAL_PORT: String(temporalPort),
      FERJE_DEV_UI_PORT: String(uiPort),
      FERJE_INGRESS_PORT: String(ingressPort),
      FERJE_CODEC_SERVER_PORT: String(codecPort),
      FERJE_DOCUMENTS_PORT: String(documentsPort),
      FERJE_DEV_SIMULATOR_BASE_PORT: '0',
      FERJE_CODEC_KEYS: '',
      FERJE_CODEC_KEY_FILE: '',
    });
    try {
      await stack.waitFor(/Ctrl-C stops everything/, 180_000);
      const out = stack.output();
      assert.match(out, new RegExp(`Temporal server\\s+127\\.0\\.0\\.1:${temporalPort}`));
      assert.match(out, new RegExp(`Temporal UI\\s+http://127\\.0\\.0\\.1:${uiPort}`));
      assert.match(out, new RegExp(`Codec server\\s+http://127\\.0\\.0\\.1:${codecPort}`));
      assert.match(out, new RegExp(`Ingress\\s+http://127\\.0\\.0\\.1:${ingressPort}`));
      assert.match(
        out,
        new RegExp(`Documents API\\s+http://127\\.0\\.0\\.1:${documentsPort}\\s+\\(OPEN: no authentication`),
      );
      assert.ok(existsSync(path.join(dataDir, 'codec-keys.json')), 'a local dev key was created on first run');
      assert.ok(existsSync(path.join(dataDir, 'temporal', 'dev.db')), 'the dev server persists to the data folder');
      assert.equal((await fetch(`http://127.0.0.1:${ingressPort}/health/ready`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${uiPort}/`)).status, 200);
    } finally {
      stack.child.kill('SIGTERM');
    }
    assert.equal(await stack.exited, 0, stack.output().slice(-2000));
    for (const port of [temporalPort, uiPort, ingressPort, codecPort, documentsPort]) {
      assert.equal(await portOpen(port), false, `port ${port} is closed after stop`);
    }
  });

  it('under `npm run dev`, stops everything when a supervisor SIGTERMs npm; --no-worker prints the worker environment', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-devstack-npm-'));
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const [temporalPort, uiPort, ingressPort, codecPort] = ports;
    const start = (): { stop: () => Promise<number | null>; output: () => string; ready: Promise<void> } => {
      const npm = spawn('npm', ['run', '--silent', 'dev', '--', '--no-worker', '--integrations', 'eformidling'], {
        cwd: projectDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          FERJE_DATA_DIR: dataDir,
          FERJE_DEV_TEMPORAL_PORT: String(temporalPort),
          FERJE_DEV_UI_PORT: String(uiPort),
          FERJE_INGRESS_PORT: String(ingressPort),
          FERJE_CODEC_SERVER_PORT: String(codecPort),
          FERJE_DEV_SIMULATOR_BASE_PORT: '0',
          FERJE_CODEC_KEYS: '',
          FERJE_CODEC_KEY_FILE: '',
        },
      });
      let out = '';
      npm.stdout.on('data', (c: Buffer) => (out += c.toString()));
      npm.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      const ready = new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (/Ctrl-C stops everything/.test(out)) {
            clearInterval(timer);
            resolve();
          }
        }, 200);
        void exited.then(() => {
          clearInterval(timer);
          reject(new Error(`npm run dev exited early:\n${out.slice(-2000)}`));
        });
      });
      // What a process supervisor does: SIGTERM to the process it started (npm), nothing to its children.
      return { ready, output: () => out, stop: () => (npm.kill('SIGTERM'), exited) };
    };
    const tokenOf = (out: string): string | undefined => /EFORMIDLING_WEBHOOK_TOKEN=(\S+)/.exec(out)?.[1];

    const first = start();
    await first.ready;
    const out = first.output();
    assert.match(out, /Start one elsewhere with this environment/);
    assert.match(out, new RegExp(`export TEMPORAL_ADDRESS=127\\.0\\.0\\.1:${temporalPort}`));
    assert.match(out, /export EFORMIDLING_BASE_URL=http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, new RegExp(`export FERJE_DATA_DIR=${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const token = tokenOf(out);
    assert.ok(token, 'the webhook token is part of the printed environment');
    await first.stop();
    await waitUntilClosed(ports);

    const second = start();
    await second.ready;
    assert.equal(tokenOf(second.output()), token, 'the webhook token is stable across restarts');
    assert.equal(readFileSync(path.join(dataDir, 'simulators', 'eformidling', 'webhook-token'), 'utf8').trim(), token);
    await second.stop();
    await waitUntilClosed(ports);
  });
});

async function waitUntilClosed(ports: number[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const port of ports) {
    while (await portOpen(port)) {
      assert.ok(Date.now() < deadline, `port ${port} still open 60 s after SIGTERM to npm: the stack was orphaned`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
