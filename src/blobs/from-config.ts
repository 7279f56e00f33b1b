import { ConfigError, envBool, envOptional, envString, envUrl, type Env } from '../config/env';
import type { FerjeConfig } from '../config/ferje-config';
import type { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';

/**
 * Which blob store a process uses. Unset `FERJE_BLOB_STORE` keeps blobs in the directory `FERJE_BLOB_DIR` (one
 * machine, or a shared file system); `s3://bucket/prefix` puts them in an S3-compatible store that every worker
 * shares. Credentials: `FERJE_S3_ACCESS_KEY_ID`/`FERJE_S3_SECRET_ACCESS_KEY`, else the AWS SDK's usual chain
 * (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profiles, instance roles).
 */
export function s3OptionsFromEnv(env: Env): S3BlobStoreOptions | undefined {
  const raw = envOptional(env, 'FERJE_BLOB_STORE');
  if (raw === undefined) return undefined;
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(raw);
  if (!match) {
    throw new ConfigError(
      'FERJE_BLOB_STORE must be s3://bucket or s3://bucket/prefix (leave it unset for the directory FERJE_BLOB_DIR)',
    );
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  const endpoint = envOptional(env, 'FERJE_S3_ENDPOINT') && envUrl(env, 'FERJE_S3_ENDPOINT');
  const accessKeyId = envOptional(env, 'FERJE_S3_ACCESS_KEY_ID');
  const secretAccessKey = envOptional(env, 'FERJE_S3_SECRET_ACCESS_KEY');
  if (!accessKeyId !== !secretAccessKey) {
    throw new ConfigError('FERJE_S3_ACCESS_KEY_ID and FERJE_S3_SECRET_ACCESS_KEY must be set together');
  }
  return {
    bucket: match[1],
    prefix,
    client: {
      region: envString(env, 'FERJE_S3_REGION', envOptional(env, 'AWS_REGION') ?? 'us-east-1'),
      endpoint,
      // S3-compatible servers on their own host name rarely have a wildcard DNS entry per bucket.
      forcePathStyle: envBool(env, 'FERJE_S3_FORCE_PATH_STYLE', endpoint !== undefined),
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    },
  };
}

export function createBlobStore(env: Env, config: Pick<FerjeConfig, 'blobDir'>): BlobStore {
  const s3 = s3OptionsFromEnv(env);
  return s3 ? new S3BlobStore(s3) : new FsBlobStore(config.blobDir);
}
