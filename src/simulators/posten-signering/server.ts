import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { formatPollTime } from '../../integrations/posten-signering/poll-time';
import { organizationNumberOf } from '../../integrations/posten-signering/keystore';
import { BodyTooLargeError, closeServer, listen, readBody } from '../../http/server-utils';
import type { Logger } from '../../logging/logger';
import { acceptsMediaType } from './accept';
import { handleCreate } from './create';
import { SIGNED_DOCUMENT_MEDIA_TYPES } from './documents';
import { FaultPlan } from './faults';
import { PostenModel, SimulatorError, TooEarly } from './model';
import type { FaultKind, FaultRoute, FaultRule } from './options';
import { errorXml, jobResponseXml, statusChangeXml } from './render';

export interface ApiServerOptions {
  model: PostenModel;
  faults: FaultPlan;
  host: string;
  port: number;
  logger: Logger;
  /** HTTPS with client certificates from this CA; absent = plain HTTP (quick tests). */
  tls?: { keyPem: string; certPem: string; caPem: string };
}

export interface RunningApiServer {
  /** `<root>` as the client configures it, e.g. https://127.0.0.1:1234/api */
  rootUrl: string;
  close(): Promise<void>;
}

const MAX_CREATE_BYTES = 64 * 1024 * 1024;

/** The simulated API: Posten's portal endpoints with its rate, poll-time, lease and validation rules. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const { model, faults, logger } = options;
  const trustedIssuers = options.tls ? [new X509Certificate(options.tls.caPem)] : undefined;
  /** Each organisation's requests of the last second: when each came and what it was (for the block's log line). */
  const windows = new Map<string, { at: number; what: string }[]>();
  const blockedUntil = new Map<string, number>();
  let base = '';

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      logger.error('simulator request failed', { error: err as Error });
      if (!res.headersSent) send(res, 500, errorXml('INTERNAL', 'simulator failure', 'SERVER'));
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const m =
      /^\/api\/([0-9]{9})(\/portal\/signature-jobs(?:\/([0-9]+)\/(cancel|pades|documents|complete|xades\/([0-9]+)))?)?\/?$/.exec(
        url.pathname,
      );
    if (!m) return send(res, 404, errorXml('NOT_FOUND', 'no such resource'));
    const [, org, portal, jobId, action, signerNumber] = m;
    model.stats.requests++;
    model.tick();

    // Who is calling: the organisation of the client certificate (mTLS), which must be the sender or its broker.
    if (options.tls) {
      const peer = (req.socket as TLSSocket).getPeerCertificate?.();
      const certOrg = peer?.raw ? organizationNumberOf(new X509Certificate(peer.raw)) : undefined;
      if (!certOrg) return send(res, 403, errorXml('NOT_AUTHORIZED', 'no enterprise certificate'));
      const brokers = model.rules.brokers[certOrg];
      if (certOrg !== org && !(brokers === '*' || brokers?.includes(org))) {
        return send(res, 403, errorXml('BROKER_NOT_AUTHORIZED', 'the certificate may not act for this sender'));
      }
    }

    // 10 requests per second per organisation, then a 30 s block (no poll-time header, a DoSFilter header).
    const now = Date.now();
    if ((blockedUntil.get(org) ?? 0) > now) return tooMany(res);
    const window = (windows.get(org) ?? []).filter((r) => now - r.at < 1000);
    window.push({ at: now, what: `${req.method} ${action ?? (jobId ? 'job' : portal ? 'jobs' : 'root')}` });
    windows.set(org, window);
    if (window.length > model.rules.maxRequestsPerSecond) {
      blockedUntil.set(org, now + model.rules.blockMs);
      model.stats.dosBlocks++;
      // The second that tipped it: each request's arrival (ms after the first) and kind, to tell a client that sent
      // too fast from arrivals bunched on the way (a stalled event loop here or there, a new TLS connection).
      const requests = window.map((r) => `+${r.at - window[0].at} ${r.what}`).join(', ');
      logger.warn('simulated DoS block', { org, requests });
      return tooMany(res);
    }

    const route: FaultRoute = !portal
      ? 'any'
      : !jobId
        ? req.method === 'POST'
          ? 'create'
          : 'poll'
        : action === 'cancel'
          ? 'cancel'
          : action === 'complete'
            ? 'confirm'
            : 'download';
    model.stats.byRoute[route] = (model.stats.byRoute[route] ?? 0) + 1;
    const fault = faults.take(route);
    if (fault.has('latency')) await new Promise((r) => setTimeout(r, fault.get('latency')?.latencyMs ?? 1000));
    if (fault.has('drop')) return void req.socket.destroy();
    if (fault.has('status5xx')) return send(res, 503, errorXml('SERVICE_UNAVAILABLE', 'simulated outage', 'SERVER'));
    if (fault.has('status404')) return send(res, 404, errorXml('NOT_FOUND', 'simulated: the resource is gone'));

    const jobsUrl = `${base}/api/${org}/portal/signature-jobs`;
    try {
      if (!portal) {
        if (req.method !== 'GET') return send(res, 405, errorXml('METHOD_NOT_ALLOWED', 'GET only'));
        return sendText(res, 200, `You are ${org}.`);
      }
      if (!jobId && req.method === 'POST') {
        const receivedAt = new Date(now);
        const body = await readBody(req, MAX_CREATE_BYTES);
        const job = await handleCreate(model, org, req.headers['content-type'] ?? '', body, trustedIssuers, receivedAt);
        return finish(res, fault, 200, jobResponseXml(job, `${jobsUrl}/${job.id}`));
      }
      if (!jobId && req.method === 'GET') {
        const queue = url.searchParams.get('polling_queue') ?? '';
        try {
          const { delivery, nextPermittedAt } = model.poll(org, queue);
          const header = { 'x-next-permitted-poll-time': pollTimeHeader(nextPermittedAt) };
          if (!delivery) return send(res, 204, '', header);
          const job = model.requireJob(delivery.jobId);
          const xml = statusChangeXml(job, delivery, `${jobsUrl}/${job.id}`, model.rules.utcOffsetMinutes, {
            omitReference: model.rules.omitReference,
          });
          return finish(res, fault, 200, xml, header);
        } catch (err) {
          if (!(err instanceof TooEarly)) throw err;
          model.stats.http429++;
          return send(res, 429, errorXml('TOO_EAGER_POLLING', 'polled before the permitted time'), {
            'x-next-permitted-poll-time': pollTimeHeader(err.nextPermittedAt),
          });
        }
      }
      const job = model.requireJob(jobId);
      if (job.sender !== org) throw new SimulatorError(404, 'NOT_FOUND', 'no such signature job');
      if (action === 'complete' && req.method === 'POST') {
        model.confirm(jobId);
        return finish(res, fault, 200, '');
      }
      if (action === 'cancel' && req.method === 'POST') {
        model.cancel(jobId);
        return finish(res, fault, 204, '');
      }
      if ((signerNumber || action === 'pades') && req.method === 'GET') {
        const mediaType = SIGNED_DOCUMENT_MEDIA_TYPES[signerNumber ? 'xades' : 'pades'];
        if (!acceptsMediaType(req.headers.accept, mediaType)) {
          return send(res, 406, errorXml('NOT_ACCEPTABLE', `the document is served as ${mediaType}`));
        }
        const document = signerNumber ? model.xades(jobId, Number(signerNumber)) : model.pades(jobId);
        return finish(res, fault, 200, document, {}, mediaType);
      }
      if (action === 'documents' && req.method === 'DELETE') {
        model.deleteDocuments(jobId);
        return finish(res, fault, 200, '');
      }
      return send(res, 405, errorXml('METHOD_NOT_ALLOWED', 'method not allowed here'));
    } catch (err) {
      if (err instanceof SimulatorError) return send(res, err.httpStatus, errorXml(err.code, err.message));
      if (err instanceof BodyTooLargeError) return send(res, 413, errorXml('TOO_LARGE', 'request too large'));
      throw err;
    }
  }

  function pollTimeHeader(at: number): string {
    const suffix = model.rules.pollTimeZoneSuffix;
    return formatPollTime(at, model.rules.utcOffsetMinutes) + (suffix ? `[${suffix}]` : '');
  }

  function tooMany(res: ServerResponse): void {
    model.stats.http429++;
    send(res, 429, errorXml('TOO_MANY_REQUESTS', 'more than 10 requests per second'), { DoSFilter: 'blocked' });
  }

  const server: Server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.keyPem,
          cert: options.tls.certPem,
          ca: options.tls.caPem,
          requestCert: true,
          rejectUnauthorized: true,
        },
        handler,
      )
    : createHttpServer(handler);
  server.keepAliveTimeout = 5000;
  const port = await listen(server, options.host, options.port);
  base = `${options.tls ? 'https' : 'http'}://${options.host}:${port}`;
  return { rootUrl: `${base}/api`, close: () => closeServer(server, 500) };
}

function finish(
  res: ServerResponse,
  fault: Map<FaultKind, FaultRule>,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
  contentType = 'application/xml',
): void {
  // The request took effect; now the answer goes missing or comes out broken.
  if (fault.has('dropAfterCommit')) return void res.socket?.destroy();
  if (fault.has('malformedXml'))
    return send(res, 200, '<portal-signature-job-status-change-response><unclosed>', headers);
  send(res, status, body, headers, contentType);
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
  contentType = 'application/xml',
): void {
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    ...(status === 204 || payload.length === 0 ? {} : { 'content-type': contentType }),
    'content-length': String(payload.length),
    ...headers,
  });
  res.end(status === 204 ? undefined : payload);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, text, {}, 'text/plain; charset=utf-8');
}
