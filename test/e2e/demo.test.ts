import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { integrations } from '../../src/platform/registry';
import { spawnTs } from '../harness/processes';
import { freePort } from '../harness/ports';

describe('the README main command: ferje demo', () => {
  it('runs every integration end to end on its simulator and ends with links to the workflows in the UI', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-demo-'));
    const ingressPort = await freePort();
    const uiPort = await freePort();
    const demo = spawnTs('src/cli/main.ts', ['demo', '--exit'], {
      ...process.env,
      FERJE_DATA_DIR: dataDir,
      FERJE_DEV_TEMPORAL_PORT: String(await freePort()),
      FERJE_DEV_UI_PORT: String(uiPort),
      FERJE_INGRESS_PORT: String(ingressPort),
      FERJE_INGRESS_PUBLIC_URL: `http://127.0.0.1:${ingressPort}`,
      FERJE_CODEC_SERVER_PORT: '0',
      FERJE_DOCUMENTS_PORT: '0',
      FERJE_DEV_SIMULATOR_BASE_PORT: '0',
      FERJE_CODEC_KEYS: '',
      FERJE_CODEC_KEY_FILE: '',
    });
    const code = await demo.exited;
    const output = demo.output();
    assert.equal(code, 0, output.slice(-4000));
    for (const integration of integrations.filter((i) => i.demo !== undefined)) {
      assert.ok(output.includes(`== ${integration.title} ==`), `${integration.title} demo ran`);
      assert.match(
        output,
        new RegExp(
          `${integration.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: http://127\\.0\\.0\\.1:${uiPort}/namespaces/default/workflows/`,
        ),
      );
    }
    assert.doesNotMatch(output, /demo failed/);
  });
});
