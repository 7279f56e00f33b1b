import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ConfigError } from '../config/env';
import type { Logger } from '../logging/logger';
import { evaluateReadiness } from '../http/readiness';
import { decideAccess, isLoopbackHost, type CodecAccess } from './auth/codec-auth';
import { BodyTooLargeError, closeServer, listen, readBody, sendJson, sendText } from '../http/server-utils';

/** Proto-JSON form of a payload as the Temporal UI and CLI send it: bytes are base64 strings. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  host: string;
  port: number;
  /** Browser origins (the Temporal UI) allowed to call the codec server. */
  corsOrigins: string[];
  logger: Logger;
  /** Who may encode and decode; see auth/codec-auth.ts. */
  access: CodecAccess;
  maxBodyBytes?: number;
}

export interface RunningCodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: p.data ? Buffer.from(p.data).toString('base64') : undefined };
}

/**
 * The remote codec endpoint for the Temporal UI (`--ui-codec-endpoint`) and `temporal --codec-endpoint`: operators
 * see decrypted payloads in their browser while the server only ever stores ciphertext. It holds the keys, so run it
 * only where the people who may read the data can reach it.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const { codec, logger, access } = options;
  if (access.kind === 'open-dev-loopback' && !isLoopbackHost(options.host)) {
    throw new ConfigError(
      `the codec server may run without authentication only on a loopback address, not ${options.host}`,
    );
  }
  const limit = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const allowed = new Set(options.corsOrigins.map((o) => o.replace(/\/$/, '')));

  const cors = (req: IncomingMessage, res: ServerResponse): void => {
    const origin = req.headers.origin;
    if (origin && (allowed.has(origin) || allowed.has('*'))) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    cors(req, res);
    const url = new URL(req.url ?? '/', 'http://codec');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/health') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (req.method === 'GET' && (url.pathname === '/health/live' || url.pathname === '/health/ready')) {
      if (url.pathname === '/health/live') {
        sendJson(res, 200, { status: 'live' });
        return;
      }
      // Ready when at least one credential source can admit someone (an open dev server always can).
      const readiness = await evaluateReadiness(
        access.kind === 'open-dev-loopback'
          ? []
          : [
              {
                name: 'credentials',
                check: async () => {
                  const reasons = await Promise.all(access.checks.map((c) => c.missing()));
                  return reasons.every((r) => r !== undefined) ? reasons.join('; ') : undefined;
                },
              },
            ],
      );
      sendJson(res, readiness.status === 'ready' ? 200 : 503, {
        ...readiness,
        authentication: access.kind === 'open-dev-loopback' ? 'open (dev, loopback)' : 'required',
      });
      return;
    }
    const op = url.pathname.replace(/\/$/, '').split('/').pop();
    if (req.method !== 'POST' || (op !== 'encode' && op !== 'decode')) {
      sendText(res, 404, 'Use POST /encode or POST /decode');
      return;
    }
    // Before the body is even read: an unauthenticated caller gets nothing decrypted and costs no parsing.
    const decision = await decideAccess(access, req.headers);
    if (decision.status !== 200) {
      req.resume();
      const namespace = decision.status === 403 ? req.headers['x-namespace'] : undefined;
      logger.warn('codec request refused', {
        op,
        status: decision.status,
        reason: decision.reason,
        ...(decision.status === 403 ? { principal: decision.principal.name, namespace } : {}),
      });
      const headers: Record<string, string> =
        decision.status === 401 ? { 'www-authenticate': 'Bearer realm="ferje-codec"' } : {};
      sendText(
        res,
        decision.status,
        decision.status === 401 ? 'A valid bearer credential is required' : 'Not allowed for this namespace',
        headers,
      );
      return;
    }
    let body: { payloads?: JsonPayload[] };
    try {
      body = JSON.parse((await readBody(req, limit)).toString('utf8')) as { payloads?: JsonPayload[] };
    } catch (err) {
      sendText(
        res,
        err instanceof BodyTooLargeError ? 413 : 400,
        err instanceof BodyTooLargeError ? err.message : 'Invalid JSON',
      );
      return;
    }
    if (!Array.isArray(body.payloads)) {
      sendText(res, 400, 'Body must be {"payloads": [...]}');
      return;
    }
    try {
      const input = body.payloads.map(fromJson);
      const output = op === 'encode' ? await codec.encode(input) : await codec.decode(input);
      sendJson(res, 200, { payloads: output.map(toJson) });
      logger.debug('codec request', {
        op,
        payloads: input.length,
        namespace: decision.namespace,
        principal: decision.principal.name,
      });
    } catch (err) {
      // Only the error class and count: a message could echo payload content.
      logger.warn('codec request failed', { op, payloads: body.payloads.length, error: (err as Error).name });
      sendText(res, 400, (err as Error).message);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('codec server error', { error: (err as Error).name });
      if (!res.headersSent) sendText(res, 500, 'Internal error');
    });
  });
  const port = await listen(server, options.host, options.port);
  const url = `http://${options.host}:${port}`;
  if (access.kind === 'open-dev-loopback') {
    logger.warn('codec server runs OPEN, without authentication: dev stack on loopback only', { url });
  } else {
    logger.info('codec server listening', { url, namespaces: access.namespaces });
  }
  return { url, port, close: () => closeServer(server) };
}
