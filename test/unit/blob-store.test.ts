import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { BlobNotFoundError, FsBlobStore } from '../../src/blobs';

function store(): FsBlobStore {
  return new FsBlobStore(mkdtempSync(path.join(tmpdir(), 'ferje-blobs-')));
}

describe('FsBlobStore', () => {
  it('stores content under its sha256 and streams it back', async () => {
    const s = store();
    const content = Buffer.from('%PDF-1.7 signed document');
    const ref = await s.put(Readable.from([content]), { mediaType: 'application/pdf', fileName: 'a.pdf' });
    assert.equal(ref.sha256, createHash('sha256').update(content).digest('hex'));
    assert.equal(ref.size, content.length);
    assert.equal(ref.mediaType, 'application/pdf');
    assert.deepEqual(await buffer(await s.get(ref)), content);
    assert.equal(await s.has(ref), true);
  });

  it('is idempotent: the same content twice is one blob and one reference', async () => {
    const s = store();
    const a = await s.put(Buffer.from('same'));
    const b = await s.put(Readable.from([Buffer.from('sa'), Buffer.from('me')]));
    assert.deepEqual(a, b);
    assert.deepEqual(readdirSync(path.join(s.root, 'tmp')), [], 'no temp files left behind');
  });

  it('streams large content without holding it in memory', async () => {
    const s = store();
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const chunks = 96;
    const hash = createHash('sha256');
    for (let i = 0; i < chunks; i++) hash.update(chunk);
    const before = process.memoryUsage().arrayBuffers;
    const ref = await s.put(
      (async function* () {
        for (let i = 0; i < chunks; i++) yield chunk;
      })(),
    );
    assert.equal(ref.size, chunks * chunk.length);
    assert.equal(ref.sha256, hash.digest('hex'));
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'put must not buffer the whole file');
  });

  it('leaves nothing behind when the source fails midway', async () => {
    const s = store();
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('connection reset');
    })();
    await assert.rejects(s.put(failing), /connection reset/);
    assert.deepEqual(readdirSync(path.join(s.root, 'tmp')), []);
  });

  it('reports missing blobs and refuses malformed references', async () => {
    const s = store();
    await assert.rejects(s.get({ sha256: 'a'.repeat(64) }), BlobNotFoundError);
    await assert.rejects(s.get({ sha256: '../../etc/passwd' }), /Not a sha256/);
  });
});
