import type { Readable } from 'node:stream';
import type { BlobRef } from '../contract/blob-ref';

export interface BlobMetadata {
  mediaType?: string;
  fileName?: string;
}

/** A blob reference names its content by the lowercase hex SHA-256: anything else is refused before any I/O. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The reference a put returns: content address and size, plus the caller's metadata where given. */
export function blobRefOf(sha256: string, size: number, metadata: BlobMetadata): BlobRef {
  const ref: BlobRef = { sha256, size };
  if (metadata.mediaType !== undefined) ref.mediaType = metadata.mediaType;
  if (metadata.fileName !== undefined) ref.fileName = metadata.fileName;
  return ref;
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

/** What the store knows of one blob without reading it. */
export interface BlobStat {
  sha256: string;
  size: number;
  /** When the content was first stored, in ms since the epoch (retention counts from here for unused uploads). */
  storedAtMs: number;
}

/** A byte range, both ends inclusive (as in an HTTP `Range: bytes=start-end` header). */
export interface BlobRange {
  start: number;
  end?: number;
}

/**
 * Where documents and files live while Temporal carries only their references. Content-addressed, so a put is
 * idempotent: retrying an activity that stores the same download yields the same BlobRef and no second copy.
 * A put resolves only once the content is durable (that is what allows confirming a download to a partner).
 */
export interface BlobStore {
  put(content: Readable | AsyncIterable<Uint8Array> | Uint8Array, metadata?: BlobMetadata): Promise<BlobRef>;
  /** A stream of the content (or of one range of it); rejects with BlobNotFoundError when absent. */
  get(ref: Pick<BlobRef, 'sha256'>, range?: BlobRange): Promise<Readable>;
  has(ref: Pick<BlobRef, 'sha256'>): Promise<boolean>;
  /** Size and storage time, or undefined when absent. */
  stat(ref: Pick<BlobRef, 'sha256'>): Promise<BlobStat | undefined>;
  /** Removes a blob; idempotent. Resolves true when something was deleted. Only retention calls this. */
  delete(ref: Pick<BlobRef, 'sha256'>): Promise<boolean>;
  /** Every stored blob, in no particular order (retention walks this). */
  list(): AsyncIterable<BlobStat>;
  /** Where the store keeps a blob if it is a local file (lets HTTP clients stream with a known length). */
  localPath?(ref: Pick<BlobRef, 'sha256'>): string;
}
