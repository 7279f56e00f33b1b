import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../src/codec/aes-gcm-codec';
import { ensureKeyFile, keyRingFromKeyFile, loadKeyRing, rotateKeyFile } from '../../src/codec/key-ring';
import { ConfigError } from '../../src/config/env';

const MARKER = '13097248022';
const key = (): string => randomBytes(32).toString('base64');
const text = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? []).toString('utf8');

function payloadOf(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}

describe('AesGcmPayloadCodec', () => {
  const ring = keyRingFromKeyFile({ activeKeyId: 'a', keys: { a: key() } }, 'test');
  const codec = new AesGcmPayloadCodec(ring);

  it('round-trips payloads and hides their content', async () => {
    const original = payloadOf({ signer: { personalIdentificationNumber: MARKER } });
    const [encoded] = await codec.encode([original]);
    assert.equal(text(encoded.metadata?.[METADATA_ENCODING_KEY]), ENCRYPTED_ENCODING);
    assert.equal(text(encoded.metadata?.[KEY_ID_METADATA]), 'a');
    assert.ok(!Buffer.from(encoded.data ?? []).includes(MARKER), 'ciphertext must not contain the plaintext');
    const [decoded] = await codec.decode([encoded]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), {
      signer: { personalIdentificationNumber: MARKER },
    });
  });

  it('uses a fresh IV for every payload', async () => {
    const p = payloadOf('same');
    const [a, b] = await codec.encode([p, p]);
    assert.notDeepEqual(Buffer.from(a.data ?? []), Buffer.from(b.data ?? []));
  });

  it('passes unencrypted payloads through on decode (histories from before encryption stay readable)', async () => {
    const plain = payloadOf({ hello: 'world' });
    const [decoded] = await codec.decode([plain]);
    assert.deepEqual(decoded, plain);
  });

  it('decodes old payloads after rotation and encrypts new ones with the new key', async () => {
    const oldKey = key();
    const before = new AesGcmPayloadCodec(keyRingFromKeyFile({ activeKeyId: 'old', keys: { old: oldKey } }, 't'));
    const [oldPayload] = await before.encode([payloadOf('from last year')]);
    const after = new AesGcmPayloadCodec(
      keyRingFromKeyFile({ activeKeyId: 'new', keys: { old: oldKey, new: key() } }, 't'),
    );
    const [decoded] = await after.decode([oldPayload]);
    assert.equal(defaultPayloadConverter.fromPayload(decoded), 'from last year');
    const [fresh] = await after.encode([payloadOf('now')]);
    assert.equal(text(fresh.metadata?.[KEY_ID_METADATA]), 'new');
  });

  it('rejects tampered ciphertext and relabelled key ids', async () => {
    const [encoded] = await codec.encode([payloadOf('x')]);
    const tampered = Buffer.from(encoded.data ?? []);
    tampered[20] ^= 0xff;
    await assert.rejects(codec.decode([{ ...encoded, data: tampered }]), PayloadDecryptionError);
    const twoKeys = new AesGcmPayloadCodec(
      keyRingFromKeyFile(
        { activeKeyId: 'a', keys: { a: ring.keys.a.toString('base64'), b: ring.keys.a.toString('base64') } },
        't',
      ),
    );
    const relabelled = { ...encoded, metadata: { ...encoded.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    await assert.rejects(twoKeys.decode([relabelled]), PayloadDecryptionError);
  });

  it('names a missing key instead of failing obscurely', async () => {
    const [encoded] = await codec.encode([payloadOf('x')]);
    const other = new AesGcmPayloadCodec(keyRingFromKeyFile({ activeKeyId: 'z', keys: { z: key() } }, 't'));
    await assert.rejects(other.decode([encoded]), /encrypted with key "a", which is not configured/);
  });
});

describe('key ring loading', () => {
  it('reads FERJE_CODEC_KEYS with the last key active unless told otherwise', () => {
    const ring = loadKeyRing({ FERJE_CODEC_KEYS: `one=${key()},two=${key()}` }, '/nonexistent');
    assert.equal(ring.activeKeyId, 'two');
    const pinned = loadKeyRing(
      { FERJE_CODEC_KEYS: `one=${key()},two=${key()}`, FERJE_CODEC_ACTIVE_KEY_ID: 'one' },
      '/x',
    );
    assert.equal(pinned.activeKeyId, 'one');
  });

  it('refuses short keys and unknown active ids with the variable named', () => {
    assert.throws(() => loadKeyRing({ FERJE_CODEC_KEYS: 'k=c2hvcnQ=' }, '/x'), /32 bytes/);
    assert.throws(
      () => loadKeyRing({ FERJE_CODEC_KEYS: `k=${key()}`, FERJE_CODEC_ACTIVE_KEY_ID: 'nope' }, '/x'),
      /activeKeyId "nope"/,
    );
  });

  it('refuses to start without any key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-keys-'));
    assert.throws(
      () => loadKeyRing({}, dir),
      (err: Error) => err instanceof ConfigError && /ferje keys init/.test(err.message),
    );
  });

  it('creates a key file once, and rotation keeps old keys', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-keys-'));
    const file = path.join(dir, 'codec-keys.json');
    assert.equal(await ensureKeyFile(file), true);
    assert.equal(await ensureKeyFile(file), false);
    const first = loadKeyRing({ FERJE_CODEC_KEY_FILE: file }, dir);
    const rotated = await rotateKeyFile(file);
    const second = loadKeyRing({}, dir);
    assert.equal(second.activeKeyId, rotated);
    assert.ok(second.keys[first.activeKeyId], 'the previous key must stay for decryption');
  });

  it('reports an unreadable key file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-keys-'));
    writeFileSync(path.join(dir, 'codec-keys.json'), '{not json');
    assert.throws(() => loadKeyRing({}, dir), /not a readable JSON key file/);
  });
});
