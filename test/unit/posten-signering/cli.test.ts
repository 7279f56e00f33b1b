import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { postenBundleCommand } from '../../../src/modules/posten-signering/cli';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import { readDocumentBundle } from '../../../src/integrations/posten-signering/bundle';

describe('ferje posten-bundle', () => {
  it('writes request, manifest, signatures.xml and the bundle of a job description for a person to inspect', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-posten-cli-'));
    writeFileSync(path.join(dir, 'contract.pdf'), demoPdf('cli'));
    writeFileSync(
      path.join(dir, 'job.json'),
      JSON.stringify({
        sender: '987654321',
        reference: 'cli-1',
        title: 'Employment contract',
        documents: [{ title: 'Contract', fileName: 'contract.pdf', path: 'contract.pdf' }],
        signers: [{ personalIdentificationNumber: '01010112345', notifications: { email: 'a@example.com' } }],
      }),
    );
    const out = path.join(dir, 'out');
    const code = await postenBundleCommand.run([
      '--job',
      path.join(dir, 'job.json'),
      '--out',
      out,
      '--test-certificate',
    ]);
    assert.equal(code, 0);
    for (const f of ['request.xml', 'manifest.xml', 'META-INF/signatures.xml', 'bundle.asice']) {
      assert.ok(existsSync(path.join(out, f)), f);
    }
    const entries = readDocumentBundle(readFileSync(path.join(out, 'bundle.asice')));
    assert.deepEqual([...entries.keys()], ['0000_contract.pdf', 'manifest.xml', 'META-INF/signatures.xml']);
    assert.match(readFileSync(path.join(out, 'request.xml'), 'utf8'), /<reference>cli-1<\/reference>/);
  });

  it('refuses an invalid job description with the problems, and writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-posten-cli-'));
    writeFileSync(
      path.join(dir, 'job.json'),
      JSON.stringify({ sender: '1', reference: 'x', title: 'T', documents: [], signers: [] }),
    );
    const code = await postenBundleCommand.run([
      '--job',
      path.join(dir, 'job.json'),
      '--out',
      path.join(dir, 'out'),
      '--test-certificate',
    ]);
    assert.equal(code, 1);
    assert.ok(!existsSync(path.join(dir, 'out')));
  });
});
