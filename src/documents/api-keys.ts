import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../config/env';
import { CALLER_ID } from '../contract/documents/caller-id';

export { CALLER_ID };

/**
 * The keys file (FERJE_DOCUMENTS_KEYS_FILE): per calling system, the SHA-256 of each of its API keys. Several keys per
 * caller allow rotation: add the new hash, move the caller to the new key, remove the old hash. The file is re-read
 * when it changes, so none of that needs a restart.
 *
 *   { "callers": { "archive": ["sha256:9f86d0…"], "case-system": ["sha256:…", "sha256:…"] } }
 *
 * SHA-256 rather than a slow password hash: keys are 32 random bytes made by `ferje documents key`, so there is
 * nothing to brute-force, and a fast hash keeps every request cheap.
 */
export interface KeysFile {
  callers: Record<string, string[]>;
}

const KEY_PREFIX = 'ferje_';
const HASH = /^sha256:([0-9a-f]{64})$/;

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A new API key and the line to put in the keys file. The key is shown once; only its hash is stored. */
export function newApiKey(): { key: string; hash: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

export function parseKeysFile(text: string, source: string): Map<string, Buffer> {
  let parsed: KeysFile;
  try {
    parsed = JSON.parse(text) as KeysFile;
  } catch (err) {
    throw new ConfigError(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.callers !== 'object' || parsed.callers === null)
    throw new ConfigError(`${source} must look like {"callers": {"<caller id>": ["sha256:<hex>"]}}`);
  const byHash = new Map<string, Buffer>();
  for (const [callerId, hashes] of Object.entries(parsed.callers)) {
    if (!CALLER_ID.test(callerId)) throw new ConfigError(`${source}: caller id "${callerId}" must match ${CALLER_ID}`);
    if (!Array.isArray(hashes)) throw new ConfigError(`${source}: caller "${callerId}" needs a list of key hashes`);
    for (const hash of hashes) {
      const m = typeof hash === 'string' ? HASH.exec(hash) : null;
      if (!m) throw new ConfigError(`${source}: a key hash of caller "${callerId}" is not "sha256:<64 hex>"`);
      byHash.set(callerId + '\0' + m[1], Buffer.from(m[1], 'hex'));
    }
  }
  return byHash;
}

/**
 * Resolves an API key to its caller. Every lookup checks the file's modification time and size, and re-reads it
 * when they changed (rotation without restart). A broken new file keeps the last good keys and reports the error.
 */
export class ApiKeyRegistry {
  private entries: { callerId: string; hash: Buffer }[] = [];
  private seen = '';

  constructor(
    readonly file: string,
    private readonly onReloadError: (err: Error) => void = () => undefined,
  ) {}

  /** Loads the file now; throws if it is missing or invalid (a process must not start without its keys). */
  async load(): Promise<void> {
    await this.refresh(true);
  }

  private async refresh(strict: boolean): Promise<void> {
    let version: string;
    try {
      const s = await stat(this.file);
      version = `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch (err) {
      if (strict) throw new ConfigError(`Documents API keys file ${this.file} is not readable`);
      this.onReloadError(err as Error);
      return;
    }
    if (version === this.seen) return;
    try {
      const parsed = parseKeysFile(await readFile(this.file, 'utf8'), this.file);
      this.entries = [...parsed.entries()].map(([k, hash]) => ({ callerId: k.split('\0')[0], hash }));
      this.seen = version;
    } catch (err) {
      if (strict) throw err;
      this.onReloadError(err as Error);
    }
  }

  /** The caller id for a presented key, or undefined. Compares hashes in constant time. */
  async callerFor(key: string): Promise<string | undefined> {
    await this.refresh(false);
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let found: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.hash, presented)) found = entry.callerId;
    }
    return found;
  }
}
