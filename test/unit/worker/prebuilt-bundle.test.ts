import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readPrebuiltBundle, withoutSourcesContent } from '../../../src/worker/prebuilt-bundle';

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
const bundle = `var x = 1;\nfunction signatureJob() {}\n${inline(sourceMap)}`;

describe('the prebuilt workflow bundle', () => {
  it('keeps what stack traces are mapped with (mappings, sources, names) and drops the copies of the sources', async () => {
    const stripped = withoutSourcesContent(bundle);
    assert.ok(stripped.startsWith('var x = 1;\nfunction signatureJob() {}\n//# sourceMappingURL=data:'));
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-bundle-'));
    const file = path.join(dir, 'workflow-bundle.js');
    writeFileSync(file, stripped);
    const read = await readPrebuiltBundle(file);
    const { sourcesContent, ...kept } = sourceMap;
    assert.ok(sourcesContent.length > 0);
    assert.deepEqual(read.sourceMap, kept);
    assert.equal(read.code, stripped, 'the code the runtime compiles is the file as built');
    assert.equal(read.filename, file);
    assert.ok(stripped.length < bundle.length);
  });

  it('refuses a bundle without an inline source map (the SDK cannot map stack traces without one)', async () => {
    assert.throws(() => withoutSourcesContent('var x = 1;\n'), /no inline source map.*npm run build/);
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
