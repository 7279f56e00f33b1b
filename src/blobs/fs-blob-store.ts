import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobRef } from '../contract/blob-ref';
import {
  blobRefOf,
  BlobIntegrityError,
  BlobNotFoundError,
  type BlobMetadata,
  type BlobRange,
  type BlobStat,
  type BlobStore,
  SHA256_HEX,
} from './blob-store';

/**
 * Blob store on a local (or shared, for several workers) file system: `<root>/sha256/ab/cd/<hash>`.
 * Writes stream through a hash into a temp file in the same file system, are fsynced, then renamed into place, so a
 * crash leaves either nothing or a complete blob, and memory use does not depend on the size of the file.
 */
export class FsBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  localPath(ref: Pick<BlobRef, 'sha256'>): string {
    if (!SHA256_HEX.test(ref.sha256)) throw new BlobIntegrityError('Not a sha256 blob reference');
    return path.join(this.root, 'sha256', ref.sha256.slice(0, 2), ref.sha256.slice(2, 4), ref.sha256);
  }

  async put(content: Readable | AsyncIterable<Uint8Array> | Uint8Array, metadata: BlobMetadata = {}): Promise<BlobRef> {
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const source = content instanceof Uint8Array ? Readable.from([content]) : Readable.from(content);
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx' }));
      await fsyncPath(tmp);
      const sha256 = hash.digest('hex');
      const target = this.localPath({ sha256 });
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
      await fsyncPath(path.dirname(target));
      return blobRefOf(sha256, size, metadata);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async get(ref: Pick<BlobRef, 'sha256'>, range?: BlobRange): Promise<Readable> {
    const file = this.localPath(ref);
    try {
      await stat(file);
    } catch {
      throw new BlobNotFoundError(ref.sha256);
    }
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async stat(ref: Pick<BlobRef, 'sha256'>): Promise<BlobStat | undefined> {
    try {
      const s = await stat(this.localPath(ref));
      return { sha256: ref.sha256, size: s.size, storedAtMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  }

  async delete(ref: Pick<BlobRef, 'sha256'>): Promise<boolean> {
    try {
      await unlink(this.localPath(ref));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<BlobStat> {
    const base = path.join(this.root, 'sha256');
    for (const a of await readdirOrEmpty(base)) {
      for (const b of await readdirOrEmpty(path.join(base, a))) {
        for (const name of await readdirOrEmpty(path.join(base, a, b))) {
          if (!SHA256_HEX.test(name)) continue;
          const found = await this.stat({ sha256: name });
          if (found) yield found;
        }
      }
    }
  }

  async has(ref: Pick<BlobRef, 'sha256'>): Promise<boolean> {
    try {
      await stat(this.localPath(ref));
      return true;
    } catch {
      return false;
    }
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
