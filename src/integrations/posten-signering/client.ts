import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import type { PostenStatusChange } from '../../contract/posten-signering';
import type { Logger } from '../../logging/logger';
import type { PostenSigneringConfig } from '../../modules/posten-signering/config';
import {
  PostenApiError,
  PostenBrokerNotAuthorizedError,
  PostenJobAlreadyFinishedError,
  PostenMalformedResponseError,
  PostenNotAuthorizedError,
  PostenRateLimitedError,
  PostenSchemaValidationError,
  PostenTlsError,
  PostenTooEagerPollingError,
  PostenUnavailableError,
  PostenUntrustedUrlError,
} from './errors';
import type { EnterpriseKeystore } from './keystore';
import { multipartMixed } from './multipart';
import { pacerFor, type RequestPacer } from './pacer';
import { parsePollTime } from './poll-time';
import { parseErrorBody, parseJobCreatedResponse, parseStatusChange, type JobCreatedResponse } from './response-xml';
import { ServerIdentityError, loadConfiguredKeystore, postenConnectOptions } from './tls';
import { XmlParseError } from './xml/dom';

export type PollResult =
  | { kind: 'change'; change: PostenStatusChange; nextPermittedPollAt: number }
  | { kind: 'empty'; nextPermittedPollAt: number };

const USER_AGENT = 'ferje-posten-signering/0.1 (+node)';
/** Posten blocks an organisation for 30 s after the 10 requests/second rule; the DoS-filter 429 carries no time. */
export const RATE_LIMIT_BLOCK_MS = 30_000;
const MAX_ERROR_BODY = 64 * 1024;
/** What a successful download may be: Posten's type (the Java client's Accept) and the document's own type. */
const DOWNLOAD_MEDIA_TYPES: Record<'pades' | 'xades', readonly string[]> = {
  pades: ['application/octet-stream', 'application/pdf'],
  xades: ['application/xml', 'text/xml'],
};
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Client for Posten signering's portal API: mutual TLS with the enterprise certificate, one paced budget per
 * organisation, typed errors, and URLs from responses followed only on the configured origin.
 */
export class PostenSignatureClient {
  readonly keystore?: EnterpriseKeystore;
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;

  constructor(
    private readonly config: PostenSigneringConfig,
    private readonly logger: Logger,
  ) {
    this.keystore = loadConfiguredKeystore(config);
    this.origin = new URL(config.baseUrl).origin;
    this.dispatcher = new Agent({
      connect: config.baseUrl.startsWith('https:') ? postenConnectOptions(config, this.keystore) : undefined,
      connections: 32,
      keepAliveTimeout: 10_000,
      headersTimeout: config.apiTimeoutMs,
      bodyTimeout: config.downloadTimeoutMs,
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** `GET <root>/{org}`: who the server thinks we are (connectivity check). */
  async whoAmI(sender: string): Promise<string> {
    const res = await this.call(sender, 'GET', `${this.config.baseUrl}/${sender}`, {});
    return (await res.body.text()).trim();
  }

  /**
   * `POST <root>/{org}/portal/signature-jobs`: request XML + bundle as `multipart/mixed`. Not idempotent.
   * The bundle may be given as a function: it is then produced only once the request's turn in the rate budget has
   * come, because Posten wants the bundle's SigningTime within seconds of the request.
   */
  async createPortalJob(
    sender: string,
    requestXml: string,
    bundle: Uint8Array | (() => Promise<Uint8Array>),
  ): Promise<JobCreatedResponse> {
    const mp = multipartMixed(requestXml);
    const res = await this.call(sender, 'POST', `${this.config.baseUrl}/${sender}/portal/signature-jobs`, {
      headers: { 'content-type': mp.contentType, accept: 'application/xml' },
      body: async () => Buffer.concat([mp.head, typeof bundle === 'function' ? await bundle() : bundle, mp.tail]),
    });
    const text = await res.body.text();
    try {
      return parseJobCreatedResponse(text);
    } catch (err) {
      throw malformed('create', err);
    }
  }

  /** One status change from the sender's queue (absent or empty `pollingQueue` = default queue). */
  async pollStatusChange(sender: string, pollingQueue?: string): Promise<PollResult> {
    const url = `${this.config.baseUrl}/${sender}/portal/signature-jobs${
      pollingQueue ? `?polling_queue=${encodeURIComponent(pollingQueue)}` : ''
    }`;
    const res = await this.call(sender, 'GET', url, { headers: { accept: 'application/xml' }, poll: true });
    const next = parsePollTime(headerValue(res.headers['x-next-permitted-poll-time']));
    if (next === undefined) {
      await res.body.dump();
      throw new PostenMalformedResponseError('poll response without a valid X-Next-permitted-poll-time');
    }
    if (res.statusCode === 204) {
      await res.body.dump();
      return { kind: 'empty', nextPermittedPollAt: next };
    }
    const text = await res.body.text();
    try {
      return { kind: 'change', change: parseStatusChange(text, new Date().toISOString()), nextPermittedPollAt: next };
    } catch (err) {
      throw malformed('status change', err);
    }
  }

  /** `POST <confirmation-url>` with an empty body. */
  async confirm(sender: string, confirmationUrl: string): Promise<void> {
    const res = await this.call(sender, 'POST', this.trusted(confirmationUrl), {
      headers: { accept: 'application/xml' },
    });
    await res.body.dump();
  }

  /** `POST <cancellation-url>`: 2xx (204 today) = cancelled; 409 → `PostenJobAlreadyFinishedError`. */
  async cancel(sender: string, cancellationUrl: string): Promise<void> {
    const res = await this.call(sender, 'POST', this.trusted(cancellationUrl), {
      headers: { accept: 'application/xml' },
      cancel: true,
    });
    await res.body.dump();
  }

  /** `DELETE <delete-documents-url>`. */
  async deleteDocuments(sender: string, url: string): Promise<void> {
    const res = await this.call(sender, 'DELETE', this.trusted(url), { headers: { accept: 'application/xml' } });
    await res.body.dump();
  }

  /**
   * Streams a PAdES or XAdES; the caller must consume or destroy the stream. Asks with the Java client's `Accept`
   * headers; a 2xx in another media type (a gateway's HTML page, an XML body where the PDF belongs) is refused as
   * malformed (retryable), so it is never stored as the signed document and the change is not confirmed on it.
   */
  async download(sender: string, url: string, kind: 'pades' | 'xades'): Promise<Readable> {
    const accept = kind === 'pades' ? 'application/octet-stream, application/xml' : 'application/xml';
    const res = await this.call(sender, 'GET', this.trusted(url), { headers: { accept }, download: true });
    const mediaType = headerValue(res.headers['content-type'])?.split(';')[0].trim().toLowerCase();
    if (mediaType !== undefined && !DOWNLOAD_MEDIA_TYPES[kind].includes(mediaType)) {
      await res.body.dump();
      throw new PostenMalformedResponseError(`Posten answered the ${kind.toUpperCase()} download as ${mediaType}`);
    }
    return res.body;
  }

  /** A URL from a response, if (and only if) it is on the configured origin. */
  trusted(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PostenUntrustedUrlError('a URL from Posten is not an absolute URL');
    }
    if (parsed.origin !== this.origin) {
      throw new PostenUntrustedUrlError(
        `a URL from Posten points to ${parsed.origin}, not the configured ${this.origin}`,
      );
    }
    return parsed.toString();
  }

  private pacer(sender: string): RequestPacer {
    return pacerFor(sender, this.config.maxRequestsPerSecond);
  }

  private async call(
    sender: string,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: {
      headers?: Record<string, string>;
      /** Produced after the pacer let the request go. */
      body?: () => Promise<Buffer>;
      poll?: boolean;
      cancel?: boolean;
      download?: boolean;
    },
  ): Promise<Dispatcher.ResponseData> {
    const pacer = this.pacer(sender);
    await pacer.acquire();
    const body = options.body ? await options.body() : method === 'POST' ? '' : undefined;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method,
        dispatcher: this.dispatcher,
        headers: { 'user-agent': USER_AGENT, ...options.headers },
        body,
        headersTimeout: options.download ? this.config.downloadTimeoutMs : this.config.apiTimeoutMs,
        bodyTimeout: options.download ? this.config.downloadTimeoutMs : this.config.apiTimeoutMs,
      });
    } catch (err) {
      throw this.transportError(err, method);
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) return res;
    if (status === 429) {
      const next = parsePollTime(headerValue(res.headers['x-next-permitted-poll-time']));
      await res.body.dump();
      if (res.headers['dosfilter'] !== undefined || next === undefined) {
        const retryAt = Date.now() + RATE_LIMIT_BLOCK_MS;
        pacer.blockUntil(retryAt);
        this.logger.warn('posten rate limit block', { sender, method });
        throw new PostenRateLimitedError(retryAt);
      }
      throw new PostenTooEagerPollingError(next);
    }
    const text = await readLimited(res.body);
    if (status >= 500) {
      throw new PostenUnavailableError(`Posten answered HTTP ${status}`, true, status);
    }
    const error = parseErrorBody(text);
    const message = `Posten answered HTTP ${status}${error ? ` ${error.code}: ${maskPersonalData(error.message)}` : ''}`;
    if (status === 409 && options.cancel) {
      throw new PostenJobAlreadyFinishedError(status, error?.code, error?.type, message);
    }
    switch (error?.code) {
      case 'SCHEMA_VALIDATION_ERROR':
        throw new PostenSchemaValidationError(status, error.code, error.type, message);
      case 'BROKER_NOT_AUTHORIZED':
        throw new PostenBrokerNotAuthorizedError(status, error.code, error.type, message);
      case 'NOT_AUTHORIZED':
        throw new PostenNotAuthorizedError(status, error.code, error.type, message);
    }
    throw new PostenApiError(status, error?.code, error?.type, message);
  }

  private transportError(err: unknown, method: string): Error {
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? '';
    if (err instanceof ServerIdentityError || (err as { cause?: unknown }).cause instanceof ServerIdentityError) {
      return new PostenTlsError((err instanceof ServerIdentityError ? err : (err as { cause: Error }).cause).message);
    }
    if (TLS_CODES.has(code)) return new PostenTlsError(`TLS: the server certificate was not accepted (${code})`);
    // Refused or unreachable before anything was written: the request certainly did not reach Posten.
    const notSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH'].includes(
      code,
    );
    return new PostenUnavailableError(`${method} to Posten failed: ${code || e.message || 'network error'}`, !notSent);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > MAX_ERROR_BODY) {
      body.destroy();
      break;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function malformed(what: string, err: unknown): PostenMalformedResponseError {
  const reason = err instanceof XmlParseError ? err.message : 'unreadable body';
  return new PostenMalformedResponseError(`Posten's ${what} response could not be read: ${reason}`);
}

/** Posten's error messages may quote values (schema errors do): mask anything that looks personal. */
export function maskPersonalData(text: string): string {
  return text
    .replace(/(value|Value) '[^']*'/g, "$1 '…'")
    .replace(/[^\s'"<>@]+@[^\s'"<>@]+/g, '<e-mail>')
    .replace(/\+?\d{6,}/g, '<number>')
    .slice(0, 500);
}
