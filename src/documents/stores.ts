import path from 'node:path';
import type { BlobStore } from '../blobs/blob-store';
import { FsBlobStore } from '../blobs/fs-blob-store';
import { s3OptionsFromEnv } from '../blobs/from-config';
import { S3BlobStore } from '../blobs/s3-blob-store';
import { S3ReferenceLedger } from './s3-ledger';
import { ReferencingBlobStore } from '../blobs/referencing-blob-store';
import type { Env } from '../config/env';
import type { FerjeConfig } from '../config/ferje-config';
import type { Logger } from '../logging/logger';
import { FsReferenceLedger } from './fs-ledger';
import type { ReferenceLedger } from './ledger';

export interface DocumentStores {
  /** The plain content-addressed store (the API and retention use it directly). */
  blobs: BlobStore;
  ledger: ReferenceLedger;
}

/**
 * The blob store and its references ledger, always on the same backend: the one place that chooses where documents
 * live. Ledger records sit beside the blobs (`<blob dir>/ledger`, or `<prefix>/ledger/` in the S3 bucket), outside
 * what the store lists.
 */
export function openDocumentStores(config: Pick<FerjeConfig, 'blobDir'>, env: Env = {}): DocumentStores {
  const s3 = s3OptionsFromEnv(env);
  if (s3) return { blobs: new S3BlobStore(s3), ledger: new S3ReferenceLedger(s3) };
  return {
    blobs: new FsBlobStore(config.blobDir),
    ledger: new FsReferenceLedger(path.join(config.blobDir, 'ledger')),
  };
}

/** The store that activities get, on whichever backend the configuration names. */
export function workerBlobStore(config: FerjeConfig, env: Env, logger: Logger): BlobStore {
  return referencingBlobStore(openDocumentStores(config, env), logger);
}

/** The store that activities get: every blob a flow stores or reads is recorded as referenced by that flow. */
export function referencingBlobStore(stores: DocumentStores, logger: Logger): BlobStore {
  return new ReferencingBlobStore(stores.blobs, stores.ledger, undefined, (err) => {
    logger.warn('could not record a document reference', { error: (err as Error).name });
  });
}
