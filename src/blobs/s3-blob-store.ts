import { createHash, randomBytes } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { CompletedPart, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
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
import { partsOf } from './parts';

type Sdk = typeof import('@aws-sdk/client-s3');
const MiB = 1024 * 1024;

export interface S3BlobStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without a trailing slash ('' for the bucket root). */
  prefix: string;
  /** Endpoint, region, credentials, path style: passed to the S3 client as they are. */
  client: S3ClientConfig;
  /** Bytes per multipart part (S3's minimum is 5 MiB). Memory use is about (partsInFlight + 2) × partSize. */
  partSize?: number;
  partsInFlight?: number;
  /** Largest object one CopyObject may copy (S3: 5 GiB); larger ones are copied part by part. */
  maxSingleCopyBytes?: number;
}

/**
 * Blob store on any S3-compatible object store: `<prefix>/sha256/ab/cd/<hash>`, shared by every worker.
 *
 * Never a content key with wrong content: content that fits in one part is hashed first and sent with its SHA-256,
 * which the server checks before the object exists. Larger content streams in parts to a temporary key while it is
 * hashed (constant memory), and only once the upload is complete is it copied to its content key, the server
 * computing the copy's SHA-256 (compared with ours). A crash leaves an unfinished multipart upload or a temporary
 * object (a bucket lifecycle rule clears both), never a content key. Reads check the SHA-256 the server attests
 * before sending a byte, and full reads hash what they stream. The AWS SDK is loaded on first use, so processes on
 * the directory store never pay for it.
 */
export class S3BlobStore implements BlobStore {
  private readonly partSize: number;
  private readonly partsInFlight: number;
  private readonly maxSingleCopyBytes: number;
  private connected?: Promise<{ sdk: Sdk; client: S3Client }>;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.partSize = options.partSize ?? 8 * MiB;
    this.partsInFlight = options.partsInFlight ?? 2;
    this.maxSingleCopyBytes = options.maxSingleCopyBytes ?? 5 * 1024 * MiB;
    if (this.partSize < 5 * MiB) throw new RangeError('S3 multipart parts must be at least 5 MiB');
  }

  get bucket(): string {
    return this.options.bucket;
  }

  /** The object key of a blob; refuses anything but a sha256 reference (no path games in keys). */
  contentKey(ref: Pick<BlobRef, 'sha256'>): string {
    if (!SHA256_HEX.test(ref.sha256)) throw new BlobIntegrityError('Not a sha256 blob reference');
    const h = ref.sha256;
    return this.prefixed(`sha256/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`);
  }

  /** Where unfinished uploads live until they are complete and copied (a lifecycle rule may expire this prefix). */
  get tempPrefix(): string {
    return this.prefixed('tmp/');
  }

  private prefixed(key: string): string {
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  private connect(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.connected ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client(this.options.client),
    }));
    return this.connected;
  }

  async put(content: Readable | AsyncIterable<Uint8Array> | Uint8Array, metadata: BlobMetadata = {}): Promise<BlobRef> {
    const hash = createHash('sha256');
    let size = 0;
    const source = content instanceof Uint8Array ? [content] : content;
    const hashed = (async function* () {
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    })();
    const parts = partsOf(hashed, this.partSize);
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (second.done) {
      const sha256 = hash.digest('hex');
      await this.putWhole(sha256, first.done ? Buffer.alloc(0) : first.value);
      return blobRefOf(sha256, size, metadata);
    }
    const tmpKey = `${this.tempPrefix}${process.pid}-${randomBytes(12).toString('hex')}`;
    await this.uploadParts(tmpKey, [first.value as Buffer, second.value], parts);
    try {
      const sha256 = hash.digest('hex');
      const key = this.contentKey({ sha256 });
      if (!(await this.attests(key, sha256))) await this.copyVerified(tmpKey, key, size, sha256);
      return blobRefOf(sha256, size, metadata);
    } finally {
      await this.deleteKey(tmpKey).catch(() => undefined);
    }
  }

  /** One request, checked by the server against the SHA-256 before the object exists; skipped when already stored. */
  private async putWhole(sha256: string, body: Buffer): Promise<void> {
    const key = this.contentKey({ sha256 });
    if (await this.attests(key, sha256)) return;
    const { sdk, client } = await this.connect();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ChecksumSHA256: base64(sha256),
      }),
    );
  }

  /** A multipart upload of every part to `key`, a few parts in flight; aborted (nothing visible) on any failure. */
  private async uploadParts(key: string, firstParts: Buffer[], rest: AsyncGenerator<Buffer>): Promise<void> {
    const { sdk, client } = await this.connect();
    const { UploadId } = await client.send(
      new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ChecksumAlgorithm: 'CRC32' }),
    );
    const completed: CompletedPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let failed: { error: unknown } | undefined;
    const send = (body: Buffer, partNumber: number): void => {
      const sent = client
        .send(
          new sdk.UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: body.length,
            ChecksumAlgorithm: 'CRC32',
          }),
        )
        .then(
          (r) => void completed.push({ PartNumber: partNumber, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 }),
          (error: unknown) => void (failed ??= { error }),
        )
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    };
    try {
      let partNumber = 0;
      for (const body of firstParts) send(body, ++partNumber);
      for (;;) {
        while (inFlight.size >= this.partsInFlight && !failed) await Promise.race(inFlight);
        if (failed) break;
        const next = await rest.next();
        if (next.done) break;
        send(next.value, ++partNumber);
      }
      await Promise.all(inFlight);
      if (failed) throw failed.error;
      completed.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      await this.completeMultipart(key, UploadId, completed);
    } catch (err) {
      await Promise.allSettled(inFlight);
      await this.abortMultipart(key, UploadId);
      throw err;
    }
  }

  /**
   * Copies the complete temporary object to its content key. A single CopyObject (atomic on the server) asks the
   * server for the copy's SHA-256; should it differ, the key is removed at once and the put fails. Above the
   * single-copy limit the copy is a multipart copy, which also appears whole or not at all.
   */
  private async copyVerified(from: string, to: string, size: number, sha256: string): Promise<void> {
    const { sdk, client } = await this.connect();
    const source = `${this.bucket}/${from}`;
    if (size <= this.maxSingleCopyBytes) {
      const copied = await client.send(
        new sdk.CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source, ChecksumAlgorithm: 'SHA256' }),
      );
      const attested = copied.CopyObjectResult?.ChecksumSHA256;
      if (attested !== undefined && attested !== base64(sha256)) {
        await this.deleteKey(to);
        throw new BlobIntegrityError(`The store computed another sha256 for blob ${sha256}; nothing was stored`);
      }
      return;
    }
    const { UploadId } = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: to }));
    try {
      const parts: CompletedPart[] = [];
      const step = 1024 * MiB;
      for (let start = 0, n = 1; start < size; start += step, n++) {
        const end = Math.min(start + step, size) - 1;
        const r = await client.send(
          new sdk.UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: to,
            UploadId,
            PartNumber: n,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await this.completeMultipart(to, UploadId, parts);
    } catch (err) {
      await this.abortMultipart(to, UploadId);
      throw err;
    }
  }

  /** The object appears, whole, only now. */
  private async completeMultipart(key: string, uploadId: string | undefined, parts: CompletedPart[]): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(
      new sdk.CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  }

  /** Best effort: what a failed abort (or a crash) leaves is invisible, and a bucket lifecycle rule clears it. */
  private async abortMultipart(key: string, uploadId: string | undefined): Promise<void> {
    const { sdk, client } = await this.connect();
    await client
      .send(new sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
  }

  /** HEAD of a key (with the checksums the server keeps), or undefined when absent. */
  private async head(key: string) {
    const { sdk, client } = await this.connect();
    try {
      return await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Whether the server holds `key` and attests it has exactly this SHA-256. */
  private async attests(key: string, sha256: string): Promise<boolean> {
    return (await this.head(key))?.ChecksumSHA256 === base64(sha256);
  }

  async get(ref: Pick<BlobRef, 'sha256'>, range?: BlobRange): Promise<Readable> {
    const key = this.contentKey(ref);
    const head = await this.head(key);
    if (!head) throw new BlobNotFoundError(ref.sha256);
    // A full-object SHA-256 the server computed is the cheap check; a composite one ("…-N") says nothing here.
    const attested = head.ChecksumSHA256;
    if (attested !== undefined && !attested.includes('-') && attested !== base64(ref.sha256)) {
      throw new BlobIntegrityError(`Blob ${ref.sha256} in the store does not have that sha256; not served`);
    }
    const { sdk, client } = await this.connect();
    let body: Readable;
    try {
      const res = await client.send(
        new sdk.GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      body = res.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(ref.sha256);
      throw err;
    }
    return range ? body : pipeline(body, verifying(ref.sha256), () => undefined);
  }

  async has(ref: Pick<BlobRef, 'sha256'>): Promise<boolean> {
    return (await this.head(this.contentKey(ref))) !== undefined;
  }

  async stat(ref: Pick<BlobRef, 'sha256'>): Promise<BlobStat | undefined> {
    const head = await this.head(this.contentKey(ref));
    if (!head) return undefined;
    return { sha256: ref.sha256, size: head.ContentLength ?? 0, storedAtMs: head.LastModified?.getTime() ?? 0 };
  }

  async delete(ref: Pick<BlobRef, 'sha256'>): Promise<boolean> {
    const key = this.contentKey(ref);
    if (!(await this.head(key))) return false;
    await this.deleteKey(key);
    return true;
  }

  private async deleteKey(key: string): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(): AsyncIterable<BlobStat> {
    const { sdk, client } = await this.connect();
    let token: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefixed('sha256/'),
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        const sha256 = object.Key?.split('/').at(-1) ?? '';
        // Only keys this store would have written: anything else under the prefix is not a blob.
        if (!SHA256_HEX.test(sha256) || object.Key !== this.contentKey({ sha256 })) continue;
        yield { sha256, size: object.Size ?? 0, storedAtMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Closes the client's sockets (tests, CLI commands that exit). */
  async close(): Promise<void> {
    if (this.connected) (await this.connected).client.destroy();
  }
}

/** Passes the content through and fails the stream at its end if it does not hash to `sha256`. */
function verifying(sha256: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      done(
        hash.digest('hex') === sha256
          ? null
          : new BlobIntegrityError(`Blob ${sha256} in the store does not have that sha256; read stopped`),
      );
    },
  });
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.$metadata?.httpStatusCode === 404 || e?.name === 'NoSuchKey' || e?.name === 'NotFound';
}

function base64(sha256Hex: string): string {
  return Buffer.from(sha256Hex, 'hex').toString('base64');
}
