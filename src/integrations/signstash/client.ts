import type { Dispatcher } from 'undici';
import { parseAsyncOperation, parseRetryAfter, readSignResult, signRequestBody } from './codec';
import {
  classifyApiError,
  isWireErrorResponse,
  SignstashMalformedResponseError,
  SignstashOperationNotFoundError,
  SignstashTokenRejectedError,
  SignstashUnreachableError,
} from './errors';
import { HttpTransport, toUnreachable, type HttpRequest } from './http';
import type {
  AsyncStart,
  ClientServiceCredentials,
  OperationStatusReport,
  ProxyInstance,
  SignedContentStore,
  SignRequest,
  SignResult,
  SignstashClientSettings,
} from './model';
import { TokenProvider } from './token-provider';
import { paths, verifiedRequestFields, verifiedSignOperationLayout } from './wire';
import { endpointPath, type WireProfile } from './wire-profile';

interface CallOptions extends Omit<HttpRequest, 'body' | 'headers'> {
  /** A new body per attempt (a streamed body cannot be sent twice). */
  body?: () => HttpRequest['body'];
  contentType?: string;
  what: string;
}

/**
 * Client for the Sign'Stash Proxy. Starts (and sync signing) go through the load balancer; every follow-up goes to the
 * instance that took the operation, and only if that instance is on the allow-list. Bearer tokens come from the
 * process-wide TokenProvider; a stale-token answer (401, or the proxy's 409 0.0.10) is retried once with a new token.
 */
export class SignstashClient {
  readonly http: HttpTransport;
  readonly tokens: TokenProvider;
  /** Everything wire-specific about the async endpoints. */
  readonly profile: WireProfile;

  constructor(readonly config: SignstashClientSettings) {
    this.profile = config.wireProfile;
    this.http = new HttpTransport(config);
    this.tokens = new TokenProvider(this.http, config.tokenUrl, config.tokenRefreshMarginMs);
  }

  instanceOrigin(instance: ProxyInstance): string {
    this.config.allowList.require(instance.host, instance.port);
    const host = instance.host.includes(':') ? `[${instance.host}]` : instance.host;
    return `${this.config.instanceScheme}://${host}:${instance.port}`;
  }

  /** Registers an async operation through the load balancer. The answer names the instance that now owns it. */
  async startAsync(
    credentials: ClientServiceCredentials,
    request: SignRequest,
    signal?: AbortSignal,
  ): Promise<AsyncStart> {
    const res = await this.call(credentials, this.config.baseUrl, {
      method: this.profile.endpoints.start.method,
      path: endpointPath(this.profile, 'start'),
      body: () => signRequestBody(request, this.profile.request),
      contentType: 'application/json',
      headersTimeoutMs: this.config.transferTimeoutMs,
      bodyTimeoutMs: this.config.requestTimeoutMs,
      signal,
      what: "Sign'Stash async start",
    });
    const operation = parseAsyncOperation(await this.json(res, this.config.baseUrl), this.profile);
    if (res.statusCode !== 202 && res.statusCode !== 200) {
      throw new SignstashMalformedResponseError(`Sign'Stash async start answered HTTP ${res.statusCode}`);
    }
    // Checked before anyone relies on it: a start whose instance we may not contact is useless.
    this.config.allowList.require(operation.instance.host, operation.instance.port);
    return { operation, retryAfterMs: parseRetryAfter(res.headers['retry-after']) };
  }

  /** Status of the operations under a reference, asked of the owning instance only. */
  async status(
    credentials: ClientServiceCredentials,
    instance: ProxyInstance,
    externalReference: string,
    signal?: AbortSignal,
  ): Promise<OperationStatusReport> {
    const origin = this.instanceOrigin(instance);
    const res = await this.call(credentials, origin, {
      method: this.profile.endpoints.status.method,
      path: endpointPath(this.profile, 'status', { externalReference }),
      signal,
      what: "Sign'Stash async status",
    });
    const answer = await this.json(res, origin);
    const body = this.profile.endpoints.status.answer === 'list' ? answer : [answer];
    if (!Array.isArray(body) || body.length === 0) {
      throw new SignstashMalformedResponseError("Sign'Stash async status is not a non-empty list of operations");
    }
    const operations = body.map((item) => parseAsyncOperation(item, this.profile));
    return { operations, newest: operations[0], retryAfterMs: parseRetryAfter(res.headers['retry-after']) };
  }

  /** The final result with signed content, streamed document by document into `store`. */
  async result<T>(
    credentials: ClientServiceCredentials,
    instance: ProxyInstance,
    externalReference: string,
    store: SignedContentStore<T>,
    signal?: AbortSignal,
  ): Promise<SignResult<T>> {
    const origin = this.instanceOrigin(instance);
    const res = await this.call(credentials, origin, {
      method: this.profile.endpoints.result.method,
      path: endpointPath(this.profile, 'result', { externalReference, contentInResponse: true }),
      headersTimeoutMs: this.config.requestTimeoutMs,
      bodyTimeoutMs: this.config.requestTimeoutMs,
      signal,
      what: "Sign'Stash async result",
    });
    try {
      return await readSignResult(res.body, store, this.profile);
    } catch (err) {
      res.body.destroy();
      throw toUnreachable(origin, err);
    }
  }

  /** Synchronous signing for small batches (under ~100 documents): one request, signed content in the answer. */
  async signSync<T>(
    credentials: ClientServiceCredentials,
    request: SignRequest,
    store: SignedContentStore<T>,
    signal?: AbortSignal,
  ): Promise<SignResult<T>> {
    const res = await this.call(credentials, this.config.baseUrl, {
      method: 'POST',
      path: paths.syncSign,
      body: () => signRequestBody(request, verifiedRequestFields),
      contentType: 'application/json',
      headersTimeoutMs: this.config.transferTimeoutMs,
      bodyTimeoutMs: this.config.transferTimeoutMs,
      signal,
      what: "Sign'Stash sync sign",
    });
    try {
      return await readSignResult(res.body, store, verifiedSignOperationLayout);
    } catch (err) {
      res.body.destroy();
      throw toUnreachable(this.config.baseUrl, err);
    }
  }

  /**
   * Asks every allow-listed instance directly which of them holds operations under this reference (reconciling a
   * start whose answer was lost). Instances that are unreachable or answer the proxy's "operation not found" are
   * skipped; any other 404 is a configuration error and ends the search.
   */
  async locate(
    credentials: ClientServiceCredentials,
    externalReference: string,
    signal?: AbortSignal,
  ): Promise<OperationStatusReport | undefined> {
    for (const instance of this.config.allowList.instances()) {
      try {
        return await this.status(credentials, instance, externalReference, signal);
      } catch (err) {
        if (err instanceof SignstashOperationNotFoundError || err instanceof SignstashUnreachableError) continue;
        throw err;
      }
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Sends with a bearer token; on a stale-token answer, once more with a fresh one. Non-2xx become typed errors. */
  private async call(
    credentials: ClientServiceCredentials,
    origin: string,
    options: CallOptions,
  ): Promise<Dispatcher.ResponseData> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.token(credentials);
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      if (options.contentType) headers['content-type'] = options.contentType;
      const res = await this.http.request(origin, { ...options, headers, body: options.body?.() });
      if (res.statusCode >= 200 && res.statusCode < 300) return res;
      const raw = await res.body.json().catch(() => undefined);
      const contentType = res.headers['content-type'];
      const error = classifyApiError(
        {
          httpStatus: res.statusCode,
          body: isWireErrorResponse(raw) ? raw : undefined,
          what: options.what,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
          path: options.path,
          contentType: Array.isArray(contentType) ? contentType[0] : contentType,
        },
        this.profile.errors,
      );
      if (error instanceof SignstashTokenRejectedError) {
        this.tokens.invalidate(credentials.clientServiceId, token);
        if (attempt === 1) continue;
      }
      throw error;
    }
  }

  private async json(res: Dispatcher.ResponseData, origin: string): Promise<unknown> {
    try {
      return await res.body.json();
    } catch (err) {
      const mapped = toUnreachable(origin, err);
      if (mapped instanceof SignstashUnreachableError) throw mapped;
      throw new SignstashMalformedResponseError("Sign'Stash answered with a body that is not JSON");
    }
  }
}
