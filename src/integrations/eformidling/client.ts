import { Readable, Transform } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { InboxFilter } from '../../contract/eformidling';
import {
  apiErrorFrom,
  EformidlingApiError,
  MalformedResponseError,
  MessageNotFoundError,
  PeekFilterRefusedError,
  type SpringErrorBody,
} from './errors';
import { contentDisposition } from './media-types';
import type {
  Capability,
  Conversation,
  MessageStatusDto,
  Page,
  StandardBusinessDocument,
  StatusSearch,
  Subscription,
} from './model';
import { multipartBody, type StreamedFile } from './multipart';
import { pooledUpload } from './pooled-upload';
import { ferjeUserAgent } from './user-agent';

export interface EformidlingClientOptions {
  baseUrl: string;
  /** HTTP Basic, when the IP runs with `difi.security.enable=true`. */
  username?: string;
  password?: string;
  /** Time to the first response byte (uploads of large files wait for the IP to store them). Default 120 s. */
  headersTimeoutMs?: number;
  /** Longest silence while a body streams. Default 120 s. */
  bodyTimeoutMs?: number;
  dispatcher?: Dispatcher;
}

export interface TransferOptions {
  signal?: AbortSignal;
  /** Called with the bytes sent/received so far (for activity heartbeats). */
  onProgress?: (bytes: number) => void;
}

export interface IncomingPeekFilter extends InboxFilter {
  messageId?: string;
}

type Query = Record<string, string | number | undefined>;

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Client of the integrasjonspunkt's eFormidling 2 REST API (`/api/...`). One method per endpoint; errors are
 * EformidlingApiError subclasses chosen by the IP's `exception` name. Files are always streamed (never buffered).
 */
export class EformidlingClient {
  readonly baseUrl: string;
  private readonly dispatcher: Dispatcher;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: EformidlingClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        headersTimeout: options.headersTimeoutMs ?? 120_000,
        bodyTimeout: options.bodyTimeoutMs ?? 120_000,
        keepAliveTimeout: 10_000,
        connections: 32,
      });
    this.headers = { 'user-agent': ferjeUserAgent() };
    if (options.username !== undefined) {
      const token = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${token}`;
    }
  }

  async close(): Promise<void> {
    if (!this.options.dispatcher) await this.dispatcher.close();
  }

  // ---- capabilities ----

  /** `GET /api/capabilities/{id}`; ReceiverNotFoundError when the identifier is in no register. */
  async capabilities(
    identifier: string,
    options: { process?: string; securityLevel?: number } = {},
  ): Promise<Capability[]> {
    const body = await this.json<{ capabilities?: Capability[] }>(
      'GET',
      `/api/capabilities/${encodeURIComponent(identifier)}`,
      {
        query: { process: options.process, securityLevel: options.securityLevel },
      },
    );
    if (!body || !Array.isArray(body.capabilities))
      throw new MalformedResponseError('capabilities answer without a list');
    return body.capabilities;
  }

  // ---- sending ----

  /** One-step: `POST /api/messages/out/multipart` (each file at most 5 MiB); creates and sends in one call. */
  async sendMultipart(
    sbd: StandardBusinessDocument,
    files: StreamedFile[],
    options: TransferOptions = {},
  ): Promise<StandardBusinessDocument> {
    const mp = multipartBody(JSON.stringify(sbd), files);
    const res = await this.request('POST', '/api/messages/out/multipart', {
      headers: { 'content-type': mp.contentType, 'content-length': String(mp.contentLength) },
      body: counting(Readable.from(mp.body), options.onProgress),
      signal: options.signal,
    });
    return (await readJson(res)) as StandardBusinessDocument;
  }

  /** Multi-step 1: `POST /api/messages/out` with the SBD; registers OPPRETTET. */
  async createMessage(sbd: StandardBusinessDocument): Promise<StandardBusinessDocument> {
    return (await this.json<StandardBusinessDocument>('POST', '/api/messages/out', {
      body: sbd,
    })) as StandardBusinessDocument;
  }

  /** Multi-step 2: `PUT /api/messages/out/{id}`, raw bytes streamed with Content-Length and Content-Disposition. */
  async uploadFile(messageId: string, file: StreamedFile, options: TransferOptions = {}): Promise<void> {
    const path = `/api/messages/out/${encodeURIComponent(messageId)}`;
    const headers = {
      ...this.headers,
      'content-type': file.mediaType,
      'content-disposition': contentDisposition('attachment', file.title, file.fileName),
      'content-length': String(file.size),
    };
    if (file.path) {
      const res = await pooledUpload({
        url: new URL(`${this.baseUrl}${path}`),
        method: 'PUT',
        headers,
        path: file.path,
        size: file.size,
        signal: options.signal,
        onProgress: options.onProgress,
        timeoutMs: this.options.bodyTimeoutMs ?? 120_000,
      });
      if (res.status >= 200 && res.status < 300) return;
      let body: SpringErrorBody | undefined;
      try {
        body = JSON.parse(res.body) as SpringErrorBody;
      } catch {
        body = undefined;
      }
      const error = apiErrorFrom(res.status, body, 'PUT', '/api/messages/out/{id}');
      const retryAfter = Number(res.headers['retry-after']);
      if (Number.isFinite(retryAfter) && retryAfter >= 0) error.retryAfterMs = retryAfter * 1000;
      throw error;
    }
    const res = await this.request('PUT', path, {
      headers: {
        'content-type': file.mediaType,
        'content-disposition': contentDisposition('attachment', file.title, file.fileName),
        'content-length': String(file.size),
      },
      body: counting(await file.open(), options.onProgress),
      signal: options.signal,
    });
    await res.body.dump();
  }

  /** Multi-step 3: `POST /api/messages/out/{id}`; validates and hands the message to transport. */
  async sendMessage(messageId: string): Promise<void> {
    const res = await this.request('POST', `/api/messages/out/${encodeURIComponent(messageId)}`, {});
    await res.body.dump();
  }

  /** `GET /api/messages/out/{id}`: the SBD while the message is still in the outbox, else undefined. */
  async getOutgoing(messageId: string): Promise<StandardBusinessDocument | undefined> {
    try {
      return await this.json<StandardBusinessDocument>('GET', `/api/messages/out/${encodeURIComponent(messageId)}`);
    } catch (err) {
      if (err instanceof MessageNotFoundError || (err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }

  async deleteOutgoing(messageId: string): Promise<void> {
    await this.json('DELETE', `/api/messages/out/${encodeURIComponent(messageId)}`);
  }

  // ---- statuses ----

  /** Every status of one message, reading all pages (the IP pages 10 by default; late statuses are on later pages). */
  async statuses(messageId: string): Promise<MessageStatusDto[]> {
    const out: MessageStatusDto[] = [];
    for (let page = 0; page < 1000; page++) {
      const p = await this.page<MessageStatusDto>(`/api/statuses/${encodeURIComponent(messageId)}`, {
        page,
        size: 100,
        sort: 'id,asc',
      });
      out.push(...p.content);
      if (p.last || p.content.length === 0) break;
    }
    return out;
  }

  /** `GET /api/statuses` with filters, one page. */
  async searchStatuses(search: StatusSearch, page = 0, size = 100): Promise<Page<MessageStatusDto>> {
    return this.page<MessageStatusDto>('/api/statuses', { ...search, page, size, sort: 'id,asc' });
  }

  /** `GET /api/statuses/peek`: the head of the status queue, or undefined (204). */
  async peekStatus(): Promise<MessageStatusDto | undefined> {
    return this.json<MessageStatusDto>('GET', '/api/statuses/peek');
  }

  /** `DELETE /api/statuses/{id}`: acknowledge a queue entry; false when it was not in the queue (404). */
  async deleteStatus(id: number): Promise<boolean> {
    try {
      await this.json('DELETE', `/api/statuses/${id}`);
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return false;
      throw err;
    }
  }

  /** `GET /api/conversations/messageId/{id}` (outgoing only); undefined when there is none. */
  async conversationByMessageId(messageId: string): Promise<Conversation | undefined> {
    try {
      return await this.json<Conversation>('GET', `/api/conversations/messageId/${encodeURIComponent(messageId)}`);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }

  // ---- incoming ----

  /** `GET /api/messages/in/peek`: locks and returns the oldest matching message's SBD, or undefined (204). */
  async peekIncoming(filter: IncomingPeekFilter = {}): Promise<StandardBusinessDocument | undefined> {
    try {
      return await this.json<StandardBusinessDocument>('GET', '/api/messages/in/peek', { query: { ...filter } });
    } catch (err) {
      // The IP reads the filter with `ServiceIdentifier.valueOf`: a value it does not know is a 500, never a 400.
      if (
        filter.serviceIdentifier !== undefined &&
        err instanceof EformidlingApiError &&
        err.exception === 'IllegalArgumentException' &&
        /ServiceIdentifier/.test(err.body?.message ?? '')
      )
        throw new PeekFilterRefusedError(
          err.status,
          err.exception,
          "The IP does not know the peek filter's serviceIdentifier",
          err.body,
        );
      throw err;
    }
  }

  /**
   * `GET /api/messages/in/pop/{id}`: the ASiC stream of a locked message (the caller pipes it into the blob store),
   * or undefined for message types without payload (204).
   */
  async popIncoming(
    messageId: string,
    options: TransferOptions = {},
  ): Promise<{ body: Readable; size?: number } | undefined> {
    const res = await this.request('GET', `/api/messages/in/pop/${encodeURIComponent(messageId)}`, {
      signal: options.signal,
    });
    if (res.statusCode === 204) {
      await res.body.dump();
      return undefined;
    }
    const length = Number(res.headers['content-length']);
    return { body: counting(res.body, options.onProgress), size: Number.isFinite(length) ? length : undefined };
  }

  /** `DELETE /api/messages/in/{id}`: acknowledge (needs a current lock); the IP records INNKOMMENDE_LEVERT. */
  async deleteIncoming(messageId: string): Promise<void> {
    await this.json('DELETE', `/api/messages/in/${encodeURIComponent(messageId)}`);
  }

  // ---- subscriptions ----

  async listSubscriptions(): Promise<Subscription[]> {
    const out: Subscription[] = [];
    for (let page = 0; page < 100; page++) {
      const p = await this.page<Subscription>('/api/subscriptions', { page, size: 100 });
      out.push(...p.content);
      if (p.last || p.content.length === 0) break;
    }
    return out;
  }

  async createSubscription(subscription: Omit<Subscription, 'id'>): Promise<Subscription> {
    return (await this.json<Subscription>('POST', '/api/subscriptions', { body: subscription })) as Subscription;
  }

  /** Partial update: only the given fields change. */
  async updateSubscription(id: number, change: Partial<Omit<Subscription, 'id'>>): Promise<void> {
    await this.json('PUT', `/api/subscriptions/${id}`, { body: change });
  }

  async deleteSubscription(id: number): Promise<void> {
    await this.json('DELETE', `/api/subscriptions/${id}`);
  }

  // ---- plumbing ----

  private async page<T>(path: string, query: Query): Promise<Page<T>> {
    const p = await this.json<Page<T>>('GET', path, { query });
    if (!p || !Array.isArray(p.content)) throw new MalformedResponseError(`${path} did not answer with a page`);
    return p;
  }

  /** A JSON call: undefined for 204 or an empty body. */
  private async json<T>(
    method: Dispatcher.HttpMethod,
    path: string,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<T | undefined> {
    const res = await this.request(method, path, {
      query: options.query,
      headers:
        options.body !== undefined
          ? { 'content-type': 'application/json', accept: 'application/json' }
          : { accept: 'application/json' },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    if (res.statusCode === 204) {
      await res.body.dump();
      return undefined;
    }
    return (await readJson(res)) as T | undefined;
  }

  private async request(
    method: Dispatcher.HttpMethod,
    path: string,
    options: {
      query?: Query;
      headers?: Record<string, string>;
      body?: string | Readable;
      signal?: AbortSignal;
    },
  ): Promise<Dispatcher.ResponseData> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await this.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers: { ...this.headers, ...options.headers },
      body: options.body,
      signal: options.signal,
    });
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const errorBody = await readErrorBody(res);
    const error = apiErrorFrom(res.statusCode, errorBody, method, url.pathname.replace(/[0-9a-f-]{36}/gi, '{id}'));
    const retryAfter = Number(res.headers['retry-after']);
    if (Number.isFinite(retryAfter) && retryAfter >= 0) error.retryAfterMs = retryAfter * 1000;
    throw error;
  }
}

async function readJson(res: Dispatcher.ResponseData): Promise<unknown> {
  const text = await res.body.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`The IP answered ${res.statusCode} with a body that is not JSON`);
  }
}

async function readErrorBody(res: Dispatcher.ResponseData): Promise<SpringErrorBody | undefined> {
  let text = '';
  for await (const chunk of res.body) {
    if (text.length < MAX_ERROR_BODY) text += (chunk as Buffer).toString('utf8');
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Passes a stream through while counting bytes (cheap: no copies). */
function counting(source: Readable, onProgress?: (bytes: number) => void): Readable {
  if (!onProgress) return source;
  let bytes = 0;
  const meter = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      onProgress(bytes);
      done(null, chunk);
    },
  });
  source.on('error', (err) => meter.destroy(err));
  return source.pipe(meter);
}
