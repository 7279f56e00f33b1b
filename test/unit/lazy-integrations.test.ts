import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const projectDir = path.join(__dirname, '..', '..');

/** Loads `modules` in a fresh process and lists which of the heavy libraries and activity modules it pulled in. */
function loadedBy(modules: string[]): string[] {
  const script = `
    for (const m of ${JSON.stringify(modules)}) require(m);
    const loaded = Object.keys(require.cache).map((f) => f.replace(/\\\\/g, '/'));
    const heavy = ['node-sqlite3-wasm', 'xmllint-wasm', 'node-forge', '/pg/', 'ajv/', '@xmldom/xmldom', '/activities/'];
    console.log(JSON.stringify(heavy.filter((h) => loaded.some((f) => f.includes(h)))));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: projectDir, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as string[];
}

describe('integration libraries load only where their queue is served', () => {
  it('the registry, the worker bootstrap and the ingress routes load no activities, WASM, XML or SQL library', () => {
    assert.deepEqual(
      loadedBy([
        path.join(projectDir, 'src/platform/registry.ts'),
        path.join(projectDir, 'src/worker/workers.ts'),
        path.join(projectDir, 'src/worker/main.ts'),
      ]),
      [],
    );
  });

  it('the SS12000 activities leave SQLite and pg unloaded until the store is first opened', () => {
    const loaded = loadedBy([path.join(projectDir, 'activities/ss12000/index.ts')]);
    assert.ok(!loaded.includes('node-sqlite3-wasm') && !loaded.includes('/pg/'), loaded.join(', '));
  });
});
