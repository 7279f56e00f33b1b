import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, envOptional, type Env } from '../config/env';

/**
 * The AES-256 keys the payload codec may use. New payloads are encrypted with the active key; every key stays
 * available for decryption, which is what makes rotation possible without re-encrypting old histories.
 */
export interface KeyRing {
  activeKeyId: string;
  keys: Readonly<Record<string, Buffer>>;
}

/** On-disk shape of a key file (`FERJE_CODEC_KEY_FILE`, or `<dataDir>/codec-keys.json` created by the dev stack). */
export interface KeyFile {
  activeKeyId: string;
  keys: Record<string, string>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function keyRingFromKeyFile(file: KeyFile, source: string): KeyRing {
  const keys: Record<string, Buffer> = {};
  for (const [id, encoded] of Object.entries(file.keys ?? {})) {
    if (!KEY_ID.test(id)) throw new ConfigError(`${source}: key id "${id}" must match ${KEY_ID.source}`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new ConfigError(`${source}: key "${id}" must be 32 bytes of base64 (AES-256)`);
    keys[id] = key;
  }
  if (!file.activeKeyId || !keys[file.activeKeyId]) {
    throw new ConfigError(`${source}: activeKeyId "${file.activeKeyId}" is not one of the keys`);
  }
  return { activeKeyId: file.activeKeyId, keys };
}

/** `id1=base64,id2=base64`; the active key is `FERJE_CODEC_ACTIVE_KEY_ID` or the last one listed. */
function keyRingFromEnvList(raw: string, activeKeyId: string | undefined): KeyRing {
  const keys: Record<string, string> = {};
  let last = '';
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError('FERJE_CODEC_KEYS must look like "keyId=base64Key,otherId=base64Key"');
    last = part.slice(0, eq);
    keys[last] = part.slice(eq + 1);
  }
  return keyRingFromKeyFile({ activeKeyId: activeKeyId ?? last, keys }, 'FERJE_CODEC_KEYS');
}

export function defaultKeyFilePath(dataDir: string): string {
  return path.join(dataDir, 'codec-keys.json');
}

/**
 * Resolution order: `FERJE_CODEC_KEYS` → `FERJE_CODEC_KEY_FILE` → `<dataDir>/codec-keys.json`. No key means no
 * start: a Ferje process must never write personal data to Temporal in plain text by accident.
 */
export function loadKeyRing(env: Env, dataDir: string): KeyRing {
  const listed = envOptional(env, 'FERJE_CODEC_KEYS');
  if (listed) return keyRingFromEnvList(listed, envOptional(env, 'FERJE_CODEC_ACTIVE_KEY_ID'));
  const file = envOptional(env, 'FERJE_CODEC_KEY_FILE') ?? defaultKeyFilePath(dataDir);
  if (!existsSync(file)) {
    throw new ConfigError(
      `No payload encryption key: set FERJE_CODEC_KEYS or FERJE_CODEC_KEY_FILE, or run "ferje keys init" to create ${file}`,
    );
  }
  let parsed: KeyFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  } catch (err) {
    throw new ConfigError(`${file} is not a readable JSON key file: ${(err as Error).message}`);
  }
  return keyRingFromKeyFile(parsed, file);
}

export function newKeyId(now = new Date()): string {
  return `k${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** Creates a key file with one fresh key if none exists. Returns true when it created one. */
export async function ensureKeyFile(file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  const keyId = newKeyId();
  await writeKeyFile(file, { activeKeyId: keyId, keys: { [keyId]: randomBytes(32).toString('base64') } });
  return true;
}

/** Adds a new key and makes it active; old keys stay so existing histories remain readable. */
export async function rotateKeyFile(file: string): Promise<string> {
  const current = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  keyRingFromKeyFile(current, file);
  const keyId = newKeyId();
  await writeKeyFile(file, {
    activeKeyId: keyId,
    keys: { ...current.keys, [keyId]: randomBytes(32).toString('base64') },
  });
  return keyId;
}

async function writeKeyFile(file: string, content: KeyFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
