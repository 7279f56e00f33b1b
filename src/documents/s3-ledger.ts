import type { S3Client } from '@aws-sdk/client-s3';
import type { S3BlobStoreOptions } from '../blobs/s3-blob-store';
import { holderKey, type HolderRecord, type ReferenceLedger } from './ledger';

type Sdk = typeof import('@aws-sdk/client-s3');
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The ledger in the same bucket as the S3 blob store: `<prefix>/ledger/<ab>/<sha256>/<holder>.json`, one small object
 * per holder, so workers and API replicas on separate machines never rewrite each other's records and need no lock.
 * Outside `<prefix>/sha256/`, so the blob store never lists a ledger object as a blob.
 */
export class S3ReferenceLedger implements ReferenceLedger {
  private connected?: Promise<{ sdk: Sdk; client: S3Client }>;

  constructor(private readonly options: Pick<S3BlobStoreOptions, 'bucket' | 'prefix' | 'client'>) {}

  private connect(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.connected ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client(this.options.client),
    }));
    return this.connected;
  }

  private folder(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error('Not a sha256 document reference');
    const key = `ledger/${sha256.slice(0, 2)}/${sha256}/`;
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  async record(sha256: string, record: HolderRecord): Promise<void> {
    const { sdk, client } = await this.connect();
    const key = `${this.folder(sha256)}${Buffer.from(holderKey(record.holder)).toString('base64url')}.json`;
    if (record.holder.kind === 'workflow') {
      // First record wins (retention counts from the flow, not from its latest read). Two workers recording the same
      // flow at the same moment both write a record of that one flow: harmless, the holder is the same.
      const exists = await client.send(new sdk.HeadObjectCommand({ Bucket: this.options.bucket, Key: key })).then(
        () => true,
        (err: { $metadata?: { httpStatusCode?: number } }) => {
          if (err.$metadata?.httpStatusCode === 404) return false;
          throw err;
        },
      );
      if (exists) return;
    }
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Body: JSON.stringify(record),
        ContentType: 'application/json',
      }),
    );
  }

  async holders(sha256: string): Promise<HolderRecord[]> {
    const { sdk, client } = await this.connect();
    const out: HolderRecord[] = [];
    for (const key of await this.keys(sha256)) {
      try {
        const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
        out.push(JSON.parse(await res.Body!.transformToString('utf8')) as HolderRecord);
      } catch {
        // Removed by a concurrent forget: not a holder.
      }
    }
    return out;
  }

  async forget(sha256: string): Promise<void> {
    const { sdk, client } = await this.connect();
    for (const key of await this.keys(sha256)) {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
    }
  }

  private async keys(sha256: string): Promise<string[]> {
    const { sdk, client } = await this.connect();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.folder(sha256),
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** Closes the client's sockets (tests, CLI commands that exit). */
  async close(): Promise<void> {
    if (this.connected) (await this.connected).client.destroy();
  }
}
