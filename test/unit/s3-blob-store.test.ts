import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, describe, it } from 'node:test';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { BlobIntegrityError } from '../../src/blobs';
import type { BlobRef } from '../../src/contract/blob-ref';
import { createBlobStore, s3OptionsFromEnv } from '../../src/blobs/from-config';
import { FsBlobStore } from '../../src/blobs/fs-blob-store';
import { S3BlobStore } from '../../src/blobs/s3-blob-store';
import { ConfigError } from '../../src/config/env';
import { blobStoreContract } from '../harness/blob-store-contract';
import { spawnTs } from '../harness/processes';
import { startVersitygw, type S3Server } from '../harness/versitygw';

let started: Promise<S3Server> | undefined;
const server = (): Promise<S3Server> => (started ??= startVersitygw());
after(async () => {
  if (started) await (await started).stop();
});

blobStoreContract('S3BlobStore on versitygw', async () => (await server()).store());

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const MiB = 1024 * 1024;

/** Every key in the bucket, as the server lists it. */
async function keys(s3: S3Server, bucket: string): Promise<string[]> {
  const res = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function pendingUploads(s3: S3Server, bucket: string): Promise<string[]> {
  const res = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (res.Uploads ?? []).map((u) => u.Key ?? '');
}

describe('S3BlobStore on versitygw', () => {
  it('streams large content in parts through a temp key and leaves only the content key, sha256 attested', async () => {
    const s3 = await server();
    const store = await s3.store({ partSize: 5 * MiB });
    const content = Buffer.alloc(23 * MiB);
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32BE(i, i);
    const ref = await store.put(Readable.from([content.subarray(0, 7 * MiB), content.subarray(7 * MiB)]));
    assert.equal(ref.sha256, sha256(content));
    assert.deepEqual(await keys(s3, store.bucket), [store.contentKey(ref)], 'no temp object is left');
    assert.deepEqual(await pendingUploads(s3, store.bucket), [], 'no multipart upload is left');
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: store.bucket, Key: store.contentKey(ref), ChecksumMode: 'ENABLED' }),
    );
    assert.equal(head.ChecksumSHA256, Buffer.from(ref.sha256, 'hex').toString('base64'), 'server-computed sha256');
    assert.ok((await buffer(await store.get(ref))).equals(content));
    const range = await buffer(await store.get(ref, { start: 10 * MiB, end: 10 * MiB + 7 }));
    assert.ok(range.equals(content.subarray(10 * MiB, 10 * MiB + 8)));
  });

  it('copies part by part above the single-copy limit, with the same result', async () => {
    const s3 = await server();
    const store = await s3.store({ partSize: 5 * MiB, maxSingleCopyBytes: 6 * MiB });
    const content = Buffer.alloc(12 * MiB, 0x5a);
    const ref = await store.put(content);
    assert.equal(ref.sha256, sha256(content));
    assert.deepEqual(await keys(s3, store.bucket), [store.contentKey(ref)]);
    assert.ok((await buffer(await store.get(ref))).equals(content));
    assert.deepEqual(await store.put(content), ref, 'an unattested (multipart-copied) blob is put again idempotently');
  });

  it('a worker killed in the middle of an upload leaves no content key, only an unfinished upload under tmp/', async () => {
    const s3 = await server();
    const bucket = await s3.createBucket();
    const child = spawnTs('test/harness/s3-put-process.ts', [], { ...process.env, ...s3.ferjeEnv(bucket) });
    try {
      await child.waitFor(/streamed 20 MiB/, 60_000);
    } finally {
      child.child.kill('SIGKILL');
      await child.exited;
    }
    const options = s3OptionsFromEnv(s3.ferjeEnv(bucket));
    assert.ok(options);
    const store = new S3BlobStore({ ...options });
    try {
      const listed: string[] = [];
      for await (const blob of store.list()) listed.push(blob.sha256);
      assert.deepEqual(listed, [], 'no blob is listed');
      assert.deepEqual(await keys(s3, bucket), [], 'no object at all: parts are invisible until completed');
      const pending = await pendingUploads(s3, bucket);
      assert.ok(pending.length >= 1, 'the killed upload was in the middle of a multipart upload');
      for (const key of pending) assert.ok(key.startsWith(store.tempPrefix), `${key} is under the temp prefix`);
    } finally {
      await store.close();
    }
  });

  it('never serves wrong content under a content key, and a put of the right content repairs it', async () => {
    const s3 = await server();
    const store = await s3.store();
    const right = Buffer.from('the signed contract, version 2');
    const wrong = Buffer.from('something else entirely, same key');
    const ref: BlobRef = { sha256: sha256(right), size: right.length };
    const key = store.contentKey(ref);

    // Written behind the store's back, with a checksum the server computes: refused before any byte is sent.
    await s3.client.send(
      new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: wrong, ChecksumAlgorithm: 'SHA256' }),
    );
    await assert.rejects(store.get(ref), BlobIntegrityError);
    await assert.rejects(store.get(ref, { start: 0, end: 3 }), BlobIntegrityError);

    // Without a SHA-256 on the server, a full read is hashed on the way and fails instead of ending normally.
    await s3.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: wrong }));
    await assert.rejects(async () => buffer(await store.get(ref)), BlobIntegrityError);

    assert.deepEqual(await store.put(right), ref);
    assert.ok((await buffer(await store.get(ref))).equals(right));
  });

  it('reads its configuration: s3://bucket/prefix, endpoint, keys, path style; the directory store by default', () => {
    const env = {
      FERJE_BLOB_STORE: 's3://ferje-blobs/prod/blobs/',
      FERJE_S3_ENDPOINT: 'http://127.0.0.1:7070',
      FERJE_S3_ACCESS_KEY_ID: 'id',
      FERJE_S3_SECRET_ACCESS_KEY: 'secret',
    };
    assert.deepEqual(s3OptionsFromEnv(env), {
      bucket: 'ferje-blobs',
      prefix: 'prod/blobs',
      client: {
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:7070',
        forcePathStyle: true,
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      },
    });
    const aws = s3OptionsFromEnv({ FERJE_BLOB_STORE: 's3://ferje-blobs', FERJE_S3_REGION: 'eu-north-1' });
    assert.deepEqual(aws?.client, {
      region: 'eu-north-1',
      endpoint: undefined,
      forcePathStyle: false,
      credentials: undefined,
    });
    assert.equal(aws?.prefix, '');
    assert.throws(() => s3OptionsFromEnv({ FERJE_BLOB_STORE: '/var/lib/blobs' }), ConfigError);
    assert.throws(() => s3OptionsFromEnv({ ...env, FERJE_S3_SECRET_ACCESS_KEY: '' }), /set together/);
    assert.ok(createBlobStore({}, { blobDir: '/tmp/x' }) instanceof FsBlobStore);
    assert.ok(createBlobStore(env, { blobDir: '/tmp/x' }) instanceof S3BlobStore);
  });
});
