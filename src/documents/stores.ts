import path from 'node:path';
import type { BlobStore } from '../blobs/blob-store';
import { FsBlobStore } from '../blobs/fs-blob-store';
import { createBlobStore } from '../blobs/from-config';
import { ReferencingBlobStore } from '../blobs/referencing-blob-store';
import { ConfigError, envOptional, type Env } from '../config/env';
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
 * live. Ledger records sit beside the blobs (`<blob dir>/ledger`), outside the folder the store lists.
 *
 * Only the directory store has a ledger so far. Ferje refuses to start with another store (FERJE_BLOB_STORE) rather
 * than keep blobs in one place and the ledger — what authorisation and retention rely on — in another.
 */
export function openDocumentStores(config: Pick<FerjeConfig, 'blobDir'>, env: Env = {}): DocumentStores {
  if (envOptional(env, 'FERJE_BLOB_STORE') !== undefined)
    throw new ConfigError(
      'FERJE_BLOB_STORE: the documents references ledger exists for the directory blob store (FERJE_BLOB_DIR) only so far',
    );
  return {
    blobs: new FsBlobStore(config.blobDir),
    ledger: new FsReferenceLedger(path.join(config.blobDir, 'ledger')),
  };
}

/**
 * The store that activities get. On the directory store, every blob a flow stores or reads is recorded in the ledger
 * as held by that flow. On S3 (FERJE_BLOB_STORE) there is no ledger yet: workers share blobs through S3, and the
 * documents API and retention refuse to run there (openDocumentStores) rather than decide without the ledger.
 */
export function workerBlobStore(config: FerjeConfig, env: Env, logger: Logger): BlobStore {
  if (envOptional(env, 'FERJE_BLOB_STORE') !== undefined) return createBlobStore(env, config);
  return referencingBlobStore(openDocumentStores(config, env), logger);
}

/** The store that activities get: every blob a flow stores or reads is recorded as referenced by that flow. */
export function referencingBlobStore(stores: DocumentStores, logger: Logger): BlobStore {
  return new ReferencingBlobStore(stores.blobs, stores.ledger, undefined, (err) => {
    logger.warn('could not record a document reference', { error: (err as Error).name });
  });
}
