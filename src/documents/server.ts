import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Client } from '@temporalio/client';
import type { BlobRef } from '../contract/blob-ref';
import { closeServer, listen, sendJson } from '../http/server-utils';
import type { Logger } from '../logging/logger';
import { decideAccess, OPEN_CALLER } from './access';
import type { ApiKeyRegistry } from './api-keys';
import type { DocumentStores } from './stores';
import { parseRange } from './range';
import { Sha256MismatchError, UploadGuard, UploadTooLargeError } from './upload-guard';

export interface DocumentsApiOptions {
  client: Client;
  stores: DocumentStores;
  host: string;
  port: number;
  /** Undefined only when `open` (dev stack on loopback). */
  keys?: ApiKeyRegistry;
  open: boolean;
  maxUploadBytes: number;
  logger: Logger;
}

export interface RunningDocumentsApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"]*"|[a-z0-9!#$&^_.+-]+))*$/i;
const DOCUMENTS = '/v1/documents';

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The documents API: callers on other machines hand documents to Ferje and fetch the ones flows produced, by streaming
 * (memory does not grow with the document). Every request is authenticated by an API key of the calling system;
 * a caller reads what it uploaded or what its flows produced. Logs carry the route, status, caller id, sizes and
 * sha256 — never a document name or content. The store is reached only through these routes, never by path.
 */
export async function startDocumentsApi(options: DocumentsApiOptions): Promise<RunningDocumentsApi> {
  const { stores, logger } = options;

  const authenticate = async (req: IncomingMessage): Promise<string> => {
    if (options.open) return OPEN_CALLER;
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const callerId = m && options.keys ? await options.keys.callerFor(m[1]) : undefined;
    if (!callerId)
      throw new HttpProblem(401, 'an API key is required (Authorization: Bearer <key>)', {
        'www-authenticate': 'Bearer realm="ferje-documents"',
      });
    return callerId;
  };

  const upload = async (req: IncomingMessage, res: ServerResponse, callerId: string, expected?: string) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > options.maxUploadBytes)
      throw new UploadTooLargeError(options.maxUploadBytes);
    const headerSha = headerValue(req, 'x-ferje-expected-sha256')?.toLowerCase();
    if (headerSha !== undefined && !SHA256_HEX.test(headerSha))
      throw new HttpProblem(400, 'X-Ferje-Expected-Sha256 must be 64 lowercase hex digits');
    if (expected !== undefined && headerSha !== undefined && expected !== headerSha)
      throw new HttpProblem(400, 'the path and X-Ferje-Expected-Sha256 name different sha256 values');
    const mediaType = headerValue(req, 'content-type');
    if (mediaType !== undefined && (mediaType.length > 200 || !MEDIA_TYPE.test(mediaType)))
      throw new HttpProblem(400, 'Content-Type is not a media type');
    const fileName = decodeFileName(headerValue(req, 'x-ferje-file-name'));
    const guard = new UploadGuard(options.maxUploadBytes, expected ?? headerSha);
    const [piped, stored] = await Promise.allSettled([pipeline(req, guard), stores.blobs.put(guard)]);
    if (piped.status === 'rejected' || stored.status === 'rejected') {
      const err: unknown = piped.status === 'rejected' ? piped.reason : (stored as PromiseRejectedResult).reason;
      const guardError = [piped, stored].find(
        (r): r is PromiseRejectedResult =>
          r.status === 'rejected' &&
          (r.reason instanceof UploadTooLargeError || r.reason instanceof Sha256MismatchError),
      );
      throw guardError ? guardError.reason : err;
    }
    const ref: BlobRef = { ...stored.value };
    if (mediaType !== undefined) ref.mediaType = mediaType;
    if (fileName !== undefined) ref.fileName = fileName;
    await stores.ledger.record(ref.sha256, {
      holder: { kind: 'caller', callerId },
      recordedAtMs: Date.now(),
      ...(mediaType !== undefined ? { mediaType } : {}),
      ...(fileName !== undefined ? { fileName } : {}),
    });
    sendJson(res, 201, ref, { location: `${DOCUMENTS}/${ref.sha256}`, etag: `"${ref.sha256}"` });
    return { sha256: ref.sha256, bytes: ref.size };
  };

  const download = async (req: IncomingMessage, res: ServerResponse, callerId: string, sha256: string) => {
    const decision = await decideAccess(options.client, stores.ledger, callerId, sha256, options.open);
    // 404 for "not yours" too: whether some content exists in Ferje is itself not the caller's business.
    const stat = decision.allowed ? await stores.blobs.stat({ sha256 }) : undefined;
    if (!stat) throw new HttpProblem(404, 'no such document');
    const etag = `"${sha256}"`;
    const headers: Record<string, string | number> = {
      'content-type': decision.presented?.mediaType ?? 'application/octet-stream',
      etag,
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    };
    const fileName = decision.presented?.fileName;
    if (fileName) headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return { sha256, bytes: 0, status: 304 };
    }
    const ifRange = req.headers['if-range'];
    const range = ifRange && ifRange !== etag ? undefined : parseRange(req.headers.range, stat.size);
    if (range === 'unsatisfiable')
      throw new HttpProblem(416, 'the range is outside the document', { 'content-range': `bytes */${stat.size}` });
    const status = range ? 206 : 200;
    const length = range ? range.end - range.start + 1 : stat.size;
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${stat.size}`;
    headers['content-length'] = length;
    if (req.method === 'HEAD' || length === 0) {
      res.writeHead(status, headers);
      res.end();
      return { sha256, bytes: 0, status };
    }
    const body = await stores.blobs.get({ sha256 }, range);
    res.writeHead(status, headers);
    await pipeline(body, res);
    return { sha256, bytes: length, status };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://documents');
    let route = 'unmatched';
    let status = 500;
    let callerId: string | undefined;
    let facts: { sha256?: string; bytes?: number } = {};
    try {
      if (req.method === 'GET' && url.pathname === '/health/live') {
        status = 200;
        sendJson(res, 200, { status: 'live' });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/v1/caller') {
        route = 'GET /v1/caller';
        callerId = await authenticate(req);
        status = 200;
        // Which caller id to put in FerjeCaller when starting a flow whose documents this caller will fetch.
        sendJson(res, 200, { callerId });
        return;
      }
      const one = new RegExp(`^${DOCUMENTS}/([^/]+)$`).exec(url.pathname);
      const sha256 = one?.[1];
      if (url.pathname === DOCUMENTS && req.method === 'POST') route = `POST ${DOCUMENTS}`;
      else if (sha256 && (req.method === 'PUT' || req.method === 'GET' || req.method === 'HEAD'))
        route = `${req.method} ${DOCUMENTS}/:sha256`;
      else throw new HttpProblem(404, 'no such route');
      callerId = await authenticate(req);
      if (sha256 !== undefined && !SHA256_HEX.test(sha256))
        throw new HttpProblem(400, 'a document is named by its sha256: 64 lowercase hex digits');
      if (req.method === 'POST' || req.method === 'PUT') {
        facts = await upload(req, res, callerId, sha256);
        status = 201;
      } else {
        const answered = await download(req, res, callerId, sha256!);
        facts = answered;
        status = answered.status;
      }
    } catch (err) {
      status = problemStatus(err);
      if (status === 500) logger.error('documents request failed', { route, error: (err as Error).name });
      if (!res.headersSent) {
        const headers = err instanceof HttpProblem ? err.headers : {};
        // An unread request body (refused upload) must not be read just to be thrown away: close the connection.
        const closing: Record<string, string> = req.readableEnded ? {} : { connection: 'close' };
        sendJson(
          res,
          status,
          { error: status === 500 ? 'internal error' : (err as Error).message },
          {
            ...headers,
            ...closing,
          },
        );
        if (!req.readableEnded) res.once('finish', () => req.socket?.destroySoon());
      } else {
        res.destroy();
      }
    } finally {
      if (route !== 'unmatched' || status !== 200)
        logger.info('documents request', { route, status, caller: callerId, ...facts, ms: Date.now() - started });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  // Uploads of a gigabyte take minutes on slow links: no overall request deadline, but a socket that stays silent
  // for a minute is dropped, and headers must arrive promptly.
  server.requestTimeout = 0;
  server.headersTimeout = 15_000;
  server.timeout = 60_000;
  const port = await listen(server, options.host, options.port);
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info('documents API listening', {
    url,
    authentication: options.open ? 'OPEN (dev stack on loopback: no API key needed)' : 'API keys',
  });
  return { url, port, close: () => closeServer(server) };
}

function problemStatus(err: unknown): number {
  if (err instanceof HttpProblem) return err.status;
  if (err instanceof UploadTooLargeError) return 413;
  if (err instanceof Sha256MismatchError) return 422;
  if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return 499;
  return 500;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value === '' ? undefined : value;
}

/** `X-Ferje-File-Name` is percent-encoded UTF-8 (HTTP headers are ASCII). */
function decodeFileName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new HttpProblem(400, 'X-Ferje-File-Name must be percent-encoded UTF-8');
  }
  // eslint-disable-next-line no-control-regex
  if (name.length > 255 || /[\u0000-\u001f\u007f/\\]/.test(name))
    throw new HttpProblem(400, 'X-Ferje-File-Name must be a plain file name of at most 255 characters');
  return name;
}
