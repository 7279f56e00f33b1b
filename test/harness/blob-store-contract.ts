import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BlobNotFoundError, type BlobStore } from '../../src/blobs';

/**
 * The behaviour every BlobStore must have, whatever keeps the bytes (a directory, S3). Each store's test file calls
 * this with a factory for fresh, empty stores; store-specific checks (temp files, paths) stay in that file.
 */
/**
 * A full garbage collection on demand, so that memory checks see what a store holds rather than garbage not yet
 * collected (a put's finished parts can stay uncollected for a while on a busy machine).
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export function blobStoreContract(name: string, store: () => BlobStore | Promise<BlobStore>): void {
  describe(`${name}: BlobStore contract`, () => {
    it('stores content under its sha256 and streams it back', async () => {
      const s = await store();
      const content = Buffer.from('%PDF-1.7 signed document');
      const ref = await s.put(Readable.from([content]), { mediaType: 'application/pdf', fileName: 'a.pdf' });
      assert.equal(ref.sha256, createHash('sha256').update(content).digest('hex'));
      assert.equal(ref.size, content.length);
      assert.equal(ref.mediaType, 'application/pdf');
      assert.deepEqual(await buffer(await s.get(ref)), content);
      assert.equal(await s.has(ref), true);
    });

    it('is idempotent: the same content twice is one blob and one reference', async () => {
      const s = await store();
      const a = await s.put(Buffer.from('same'));
      const b = await s.put(Readable.from([Buffer.from('sa'), Buffer.from('me')]));
      assert.deepEqual(a, b);
    });

    it('streams large content without holding it in memory', async () => {
      const s = await store();
      const chunk = Buffer.alloc(1024 * 1024, 7);
      const chunks = 96;
      const hash = createHash('sha256');
      for (let i = 0; i < chunks; i++) hash.update(chunk);
      collectGarbage();
      const before = process.memoryUsage().arrayBuffers;
      // What the store holds while the source is being read, sampled every 8 MiB after a collection: a store that
      // kept the file in memory would hold everything read so far.
      let held = 0;
      const ref = await s.put(
        (async function* () {
          for (let i = 0; i < chunks; i++) {
            if (i % 8 === 7) {
              collectGarbage();
              held = Math.max(held, process.memoryUsage().arrayBuffers - before);
            }
            // A fresh buffer each time: a store that kept what it read would keep them all alive.
            yield Buffer.from(chunk);
          }
        })(),
      );
      assert.equal(ref.size, chunks * chunk.length);
      assert.equal(ref.sha256, hash.digest('hex'));
      assert.ok(held < 64 * 1024 * 1024, `put must not buffer the whole file (held ${Math.round(held / 2 ** 20)} MiB)`);
    });

    it('leaves nothing behind when the source fails midway', async () => {
      const s = await store();
      const failing = (async function* () {
        yield Buffer.from('partial');
        throw new Error('connection reset');
      })();
      await assert.rejects(s.put(failing), /connection reset/);
      assert.equal(await s.has({ sha256: createHash('sha256').update('partial').digest('hex') }), false);
    });

    it('reports missing blobs and refuses malformed references', async () => {
      const s = await store();
      await assert.rejects(s.get({ sha256: 'a'.repeat(64) }), BlobNotFoundError);
      await assert.rejects(s.get({ sha256: '../../etc/passwd' }), /Not a sha256/);
    });

    it('serves byte ranges (both ends inclusive, open end to the last byte)', async () => {
      const s = await store();
      const ref = await s.put(Buffer.from('0123456789'));
      assert.equal((await buffer(await s.get(ref, { start: 2, end: 5 }))).toString(), '2345');
      assert.equal((await buffer(await s.get(ref, { start: 7 }))).toString(), '789');
    });

    it('states, lists and deletes blobs; delete is idempotent', async () => {
      const s = await store();
      const before = Date.now();
      const a = await s.put(Buffer.from('first'));
      const b = await s.put(Buffer.from('second'));
      const stat = await s.stat(a);
      assert.equal(stat?.size, 5);
      assert.ok(stat && stat.storedAtMs >= before - 2000 && stat.storedAtMs <= Date.now() + 2000, 'storedAtMs is now');
      const listed: string[] = [];
      for await (const item of s.list()) listed.push(item.sha256);
      assert.deepEqual(listed.sort(), [a.sha256, b.sha256].sort());
      assert.equal(await s.delete(a), true);
      assert.equal(await s.delete(a), false);
      assert.equal(await s.has(a), false);
      assert.equal(await s.stat(a), undefined);
      assert.equal(await s.has(b), true);
    });
  });
}
