import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { holderKey, type HolderRecord, type ReferenceLedger } from './ledger';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The ledger on a (possibly shared) file system: `<root>/<ab>/<sha256>/<holder>.json`, one small file per holder, so
 * concurrent writers on several machines never rewrite each other's records and need no lock. Lives beside the blob
 * store's own folder (FERJE_BLOB_DIR/ledger), never inside what the store lists.
 */
export class FsReferenceLedger implements ReferenceLedger {
  constructor(readonly root: string) {}

  private dir(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error('Not a sha256 document reference');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async record(sha256: string, record: HolderRecord): Promise<void> {
    const dir = this.dir(sha256);
    const file = path.join(dir, `${Buffer.from(holderKey(record.holder)).toString('base64url')}.json`);
    await mkdir(dir, { recursive: true });
    const text = JSON.stringify(record);
    if (record.holder.kind === 'workflow') {
      // First record wins; `wx` makes the check and the write one step.
      await writeFile(file, text, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      return;
    }
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }

  async holders(sha256: string): Promise<HolderRecord[]> {
    const dir = this.dir(sha256);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const out: HolderRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(await readFile(path.join(dir, name), 'utf8')) as HolderRecord);
      } catch {
        // Removed by a concurrent forget, or a torn write on a crashed machine: not a holder.
      }
    }
    return out;
  }

  async forget(sha256: string): Promise<void> {
    await rm(this.dir(sha256), { recursive: true, force: true });
  }
}
