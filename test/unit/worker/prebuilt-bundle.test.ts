import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { readPrebuiltBundle, productionBundleCode } from '../../../src/worker/prebuilt-bundle';

const sourceMap = {
  version: 3,
  file: 'workflow-bundle.js',
  sources: ['workflows/posten-signering/signature-job.ts'],
  names: ['signatureJob'],
  mappings: 'AAAA,SAASA',
  sourcesContent: ['export function signatureJob() { /* the whole source file */ }'],
};
const inline = (map: object): string =>
  `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
const code = 'var x = 1;\nfunction signatureJob() {}\n';
const bundle = `${code}${inline(sourceMap)}`;

describe('the prebuilt workflow bundle', () => {
  it('keeps what stack traces are mapped with (mappings, sources, names) and drops the copies of the sources', async () => {
    const stripped = productionBundleCode(bundle);
    assert.ok(stripped.startsWith(`${code}//# sourceMappingURL=data:`));
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-bundle-'));
    const file = path.join(dir, 'workflow-bundle.js');
    writeFileSync(file, stripped);
    const read = await readPrebuiltBundle(file);
    const { sourcesContent, ...kept } = sourceMap;
    assert.ok(sourcesContent.length > 0);
    assert.deepEqual(read.sourceMap, kept);
    assert.equal(read.code, code, 'the runtime compiles the code; the map comes parsed, not as a data URL in it');
    assert.equal(read.filename, file);
    assert.ok(stripped.length < bundle.length);
  });

  it('writes characters beyond Latin-1 as escapes that mean the same, so V8 stores the code one byte a character', () => {
    const text = "const summary = `${1} → ${2} — ⚠ …`; const plain = 'x – y'; // a comment — with a dash\n";
    const built = productionBundleCode(`${text}${inline(sourceMap)}`);
    const body = built.slice(0, built.indexOf('//# sourceMappingURL='));
    assert.ok([...body].every((c) => c.charCodeAt(0) <= 0xff));
    const evaluate = (source: string): unknown => vm.runInNewContext(`${source}; JSON.stringify([summary, plain])`);
    assert.deepEqual(evaluate(body), evaluate(text));
    assert.deepEqual(JSON.parse(evaluate(body) as string), ['1 → 2 — ⚠ …', 'x – y']);
  });

  it('refuses a bundle without an inline source map (the SDK cannot map stack traces without one)', async () => {
    assert.throws(() => productionBundleCode('var x = 1;\n'), /no inline source map.*npm run build/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ferje-bundle-')), 'workflow-bundle.js');
    writeFileSync(file, 'var x = 1;\n');
    await assert.rejects(readPrebuiltBundle(file), /no inline source map/);
  });

  it('gives a relative bundle path as an absolute file name, as the SDK loader does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-bundle-'));
    writeFileSync(path.join(dir, 'b.js'), bundle);
    const read = await readPrebuiltBundle(path.relative(process.cwd(), path.join(dir, 'b.js')));
    assert.equal(read.filename, path.join(dir, 'b.js'));
  });
});
