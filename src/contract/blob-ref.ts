/**
 * A reference to content in Ferje's blob store. Documents and files never travel through Temporal; only these do.
 * Content-addressed: two identical documents share one stored copy.
 */
export interface BlobRef {
  /** Lowercase hex SHA-256 of the content. */
  sha256: string;
  /** Size in bytes. */
  size: number;
  /** IANA media type, e.g. `application/pdf`. */
  mediaType?: string;
  /** A file name to present when the content is handed on (may be personal data: never put it in summaries). */
  fileName?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isBlobRef(value: unknown): value is BlobRef {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.sha256 === 'string' &&
    SHA256_HEX.test(candidate.sha256) &&
    typeof candidate.size === 'number' &&
    Number.isSafeInteger(candidate.size) &&
    candidate.size >= 0 &&
    (candidate.mediaType === undefined || typeof candidate.mediaType === 'string') &&
    (candidate.fileName === undefined || typeof candidate.fileName === 'string')
  );
}
