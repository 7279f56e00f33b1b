import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { contentDisposition } from './media-types';

/** A file part whose content is read only while the body is being sent. */
export interface StreamedFile {
  /** Part name = document title. */
  title: string;
  fileName: string;
  mediaType: string;
  size: number;
  open(): Promise<Readable>;
  /** The file on local disk, when there is one (lets uploads use a fixed buffer pool). */
  path?: string;
}

export interface MultipartBody {
  contentType: string;
  contentLength: number;
  body: AsyncIterable<Uint8Array>;
}

/**
 * A `multipart/form-data` body (the `sbd` JSON part, then one part per file) produced as a stream: files are read
 * from disk chunk by chunk while the request is written, and the exact Content-Length is computed up front from the
 * file sizes, so the IP can check sizes and nothing is buffered whole.
 */
export function multipartBody(sbdJson: string, files: StreamedFile[]): MultipartBody {
  const boundary = `----FerjeBoundary${randomBytes(16).toString('hex')}`;
  const sbdHead = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="sbd"\r\nContent-Type: application/json\r\n\r\n`,
  );
  const sbdBytes = Buffer.from(sbdJson, 'utf8');
  const heads = files.map((f) =>
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Disposition: ${contentDisposition('form-data', f.title, f.fileName)}\r\n` +
        `Content-Type: ${f.mediaType}\r\n\r\n`,
    ),
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const contentLength =
    sbdHead.length +
    sbdBytes.length +
    heads.reduce((sum, h) => sum + h.length, 0) +
    files.reduce((sum, f) => sum + f.size, 0) +
    tail.length;

  async function* generate(): AsyncGenerator<Uint8Array> {
    yield sbdHead;
    yield sbdBytes;
    for (const [i, file] of files.entries()) {
      yield heads[i];
      let sent = 0;
      for await (const chunk of await file.open()) {
        sent += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      // A blob that changed size would make the declared Content-Length a lie: stop rather than send a corrupt body.
      if (sent !== file.size) throw new Error(`File part ${i + 1} had ${sent} bytes, expected ${file.size}`);
    }
    yield tail;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, contentLength, body: generate() };
}
