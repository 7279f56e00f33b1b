import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
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
});
