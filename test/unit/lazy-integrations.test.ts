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

/** Loads `modules` in a fresh process (through tsx, as `npm run ferje` does) and lists the bundler modules loaded. */
function bundlerModulesLoadedBy(modules: string[], then = ''): string[] {
  const script = `
    for (const m of ${JSON.stringify(modules)}) require(m);
    ${then}
    const loaded = Object.keys(require.cache).map((f) => f.replace(/\\\\/g, '/'));
    console.log(JSON.stringify(loaded.filter((f) => /\\/node_modules\\/(webpack|memfs|unionfs)\\//.test(f)).map((f) => f.replace(/.*\\/node_modules\\//, ''))));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: projectDir, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as string[];
}

describe('a worker with the prebuilt bundle loads no bundler', () => {
  const deferred = path.join(projectDir, 'src/worker/deferred-bundler.ts');

  it('the worker process (main.js) and the CLI as bin/ferje.js starts it load neither webpack nor memfs/unionfs', () => {
    assert.deepEqual(bundlerModulesLoadedBy([path.join(projectDir, 'src/worker/main.ts')]), []);
    assert.deepEqual(bundlerModulesLoadedBy([deferred, path.join(projectDir, 'src/cli/main.ts')]), []);
  });

  it('the bundler still loads on first use, with every export of the real module', () => {
    const loaded = bundlerModulesLoadedBy(
      [path.join(projectDir, 'src/worker/main.ts')],
      `if (typeof require('@temporalio/worker').bundleWorkflowCode !== 'function') throw new Error('no bundler');`,
    );
    assert.ok(
      loaded.some((f) => f.startsWith('webpack/')) && loaded.some((f) => f.startsWith('memfs/')),
      loaded.join(', '),
    );
    // The stand-in names every export of the SDK's bundler module (a new SDK version with more fails here).
    const realExports = execFileSync(
      process.execPath,
      ['-e', `console.log(JSON.stringify(Object.keys(require('@temporalio/worker/lib/workflow/bundler')).sort()))`],
      { cwd: projectDir, encoding: 'utf8' },
    );
    const standIn = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `console.log(JSON.stringify(require(${JSON.stringify(deferred)}).bundlerExports.slice().sort()))`,
      ],
      { cwd: projectDir, encoding: 'utf8' },
    );
    assert.deepEqual(JSON.parse(standIn) as string[], JSON.parse(realExports) as string[]);
  });
});
