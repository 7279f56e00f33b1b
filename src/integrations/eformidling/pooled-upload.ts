import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { open } from 'node:fs/promises';

const BUFFER_BYTES = 1024 * 1024;
const BUFFERS = 4;

export interface PooledUploadOptions {
  url: URL;
  method: 'PUT' | 'POST';
  headers: Record<string, string>;
  /** The file to send as the whole body; its size must equal the Content-Length header. */
  path: string;
  size: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  timeoutMs: number;
}

export interface PooledUploadResponse {
  status: number;
  headers: IncomingMessage['headers'];
  /** At most 64 KiB of the answer (error bodies are small; success bodies are empty). */
  body: string;
}

/**
 * Sends a file as a request body through a fixed pool of four 1 MiB buffers: a buffer is read again only after the
 * socket reported its previous content written, so memory stays flat however large the file (the general stream path
 * allocates a new buffer per chunk and leaves the freeing to the garbage collector, which lets tens of MB pile up
 * on gigabyte uploads). Reads of the next chunk overlap with writes of the previous ones.
 */
export async function pooledUpload(options: PooledUploadOptions): Promise<PooledUploadResponse> {
  const file = await open(options.path, 'r');
  try {
    const send = options.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(options.url, { method: options.method, headers: options.headers, timeout: options.timeoutMs });
    const response = new Promise<PooledUploadResponse>((resolve, reject) => {
      req.once('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 64 * 1024) body += chunk;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.once('timeout', () => req.destroy(new Error('upload timed out')));
    });
    const abort = (): void => void req.destroy(new Error('upload cancelled'));
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      const free: Buffer[] = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafe(BUFFER_BYTES));
      const waiting: (() => void)[] = [];
      const release = (buf: Buffer): void => {
        free.push(buf);
        waiting.shift()?.();
      };
      let position = 0;
      let failed: Error | undefined;
      req.once('error', (err) => (failed = err));
      while (position < options.size) {
        if (failed) throw failed;
        if (free.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
        const buf = free.pop() as Buffer;
        const { bytesRead } = await file.read(buf, 0, Math.min(BUFFER_BYTES, options.size - position), position);
        if (bytesRead === 0) throw new Error(`The file ended after ${position} of ${options.size} bytes`);
        position += bytesRead;
        req.write(buf.subarray(0, bytesRead), () => release(buf));
        options.onProgress?.(position);
      }
      req.end();
      return await response;
    } catch (err) {
      req.destroy();
      await response.catch(() => undefined);
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  } finally {
    await file.close();
  }
}
