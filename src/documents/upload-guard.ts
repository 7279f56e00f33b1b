import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class UploadTooLargeError extends Error {
  override readonly name = 'UploadTooLargeError';
  constructor(readonly limit: number) {
    super(`The document exceeds this route's limit of ${limit} bytes`);
  }
}

export class Sha256MismatchError extends Error {
  override readonly name = 'Sha256MismatchError';
  constructor(readonly actual: string) {
    super('The content does not have the expected sha256');
  }
}

/**
 * Sits between the request and the blob store. It fails the stream as soon as the limit is crossed, and at the end
 * when the content's sha256 is not the one the caller expected: the store then discards its temporary copy, so a
 * refused upload leaves nothing behind and never replaces or touches a document already stored.
 */
export class UploadGuard extends Transform {
  // Hashed here only when the caller stated a sha256; the store hashes the content itself in any case.
  private readonly hash: Hash | undefined;
  private size = 0;

  constructor(
    private readonly limit: number,
    private readonly expectedSha256: string | undefined,
  ) {
    super();
    this.hash = expectedSha256 === undefined ? undefined : createHash('sha256');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      done(new UploadTooLargeError(this.limit));
      return;
    }
    this.hash?.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const actual = this.hash?.digest('hex');
    if (actual !== undefined && actual !== this.expectedSha256) {
      done(new Sha256MismatchError(actual));
      return;
    }
    done();
  }
}
