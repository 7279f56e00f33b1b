import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ensureGoTool, versitygw } from '../../scripts/go-tools';
import { S3BlobStore, type S3BlobStoreOptions } from '../../src/blobs/s3-blob-store';
import { freePort } from './ports';
import { waitUntil } from './processes';

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A raw client on the root user (to look behind the store's back). */
  client: S3Client;
  /** A new, empty bucket. */
  createBucket(): Promise<string>;
  /** An S3 blob store on a new, empty bucket. */
  store(options?: Partial<S3BlobStoreOptions>): Promise<S3BlobStore>;
  /** The environment that makes a Ferje process use this bucket as its blob store. */
  ferjeEnv(bucket: string, prefix?: string): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A real S3 server for tests and benches: Versity's gateway on its POSIX backend in a temp directory, on a free
 * loopback port (built with `go install` on first use if setup has not already done it).
 */
export async function startVersitygw(): Promise<S3Server> {
  const binary = ensureGoTool(versitygw);
  const root = mkdtempSync(path.join(tmpdir(), 'ferje-s3-'));
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  const accessKeyId = `ferje${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    ['--access', accessKeyId, '--secret', secretAccessKey, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', dataDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  };
  const client = new S3Client(clientConfig);
  const stores: S3BlobStore[] = [];
  const stop = async (): Promise<void> => {
    for (const s of stores) await s.close();
    client.destroy();
    if (!gone) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (!gone) child.kill('SIGKILL');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      async () => {
        if (gone) throw new Error(`versitygw exited at start:\n${stderr}`);
        return fetch(endpoint).then(
          () => true,
          () => false,
        );
      },
      30_000,
      'versitygw to listen',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  let buckets = 0;
  const createBucket = async (): Promise<string> => {
    const bucket = `ferje-${process.pid}-${++buckets}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  };
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    client,
    createBucket,
    async store(options = {}) {
      const s = new S3BlobStore({ bucket: await createBucket(), prefix: 'blobs', client: clientConfig, ...options });
      stores.push(s);
      return s;
    },
    ferjeEnv: (bucket, prefix = 'blobs') => ({
      FERJE_BLOB_STORE: `s3://${bucket}/${prefix}`,
      FERJE_S3_ENDPOINT: endpoint,
      FERJE_S3_REGION: 'us-east-1',
      FERJE_S3_ACCESS_KEY_ID: accessKeyId,
      FERJE_S3_SECRET_ACCESS_KEY: secretAccessKey,
    }),
    stop,
  };
}
