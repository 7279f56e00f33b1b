import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FsBlobStore } from '../../src/blobs';
import { blobStoreContract } from '../harness/blob-store-contract';

function fsStore(): FsBlobStore {
  return new FsBlobStore(mkdtempSync(path.join(tmpdir(), 'ferje-blobs-')));
}

blobStoreContract('FsBlobStore', fsStore);

describe('FsBlobStore on disk', () => {
  it('leaves no temp files behind, after success or a failed source', async () => {
    const s = fsStore();
    await s.put(Buffer.from('same'));
    const failing = (async function* () {
      yield Buffer.from('partial');
      throw new Error('connection reset');
    })();
    await assert.rejects(s.put(failing), /connection reset/);
    assert.deepEqual(readdirSync(path.join(s.root, 'tmp')), []);
  });
});
