import type { Readable } from 'node:stream';
import type { BlobRef } from '../contract/blob-ref';

export interface BlobMetadata {
  mediaType?: string;
  fileName?: string;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly sha256: string) {
    super(`Blob ${sha256} is not in the store`);
  }
}

export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
}

/**
 * Where documents and files live while Temporal carries only their references. Content-addressed, so a put is
 * idempotent: retrying an activity that stores the same download yields the same BlobRef and no second copy.
 * A put resolves only once the content is durable (that is what allows confirming a download to a partner).
 */
export interface BlobStore {
  put(content: Readable | AsyncIterable<Uint8Array> | Uint8Array, metadata?: BlobMetadata): Promise<BlobRef>;
  /** A stream of the content; rejects with BlobNotFoundError when absent. */
  get(ref: Pick<BlobRef, 'sha256'>): Promise<Readable>;
  has(ref: Pick<BlobRef, 'sha256'>): Promise<boolean>;
  /** Where the store keeps a blob if it is a local file (lets HTTP clients stream with a known length). */
  localPath?(ref: Pick<BlobRef, 'sha256'>): string;
}
