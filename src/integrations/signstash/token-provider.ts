import type { ClientServiceCredentials } from './model';
import {
  classifyApiError,
  isWireErrorResponse,
  SignstashAccessDeniedError,
  SignstashMalformedResponseError,
} from './errors';
import type { HttpTransport } from './http';
import { tokenPath, type WireTokenResponse } from './wire';

interface CachedToken {
  accessToken: string;
  /** Epoch ms after which we no longer use it (expiry minus the refresh margin). */
  useUntilMs: number;
}

/**
 * OAuth2 client-credentials tokens from the SaaS, one cache entry per client service, shared by every activity in the
 * worker process. Refreshed before expiry (margin: the configured one, at most a fifth of the lifetime so short-lived
 * tokens are still reused), single-flight so a burst of activities asks for one token, and invalidated when a call
 * is refused with a stale-token answer.
 */
export class TokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();
  /** Tokens fetched by this process (for logs and the bench). */
  requests = 0;

  constructor(
    private readonly http: HttpTransport,
    private readonly tokenUrl: string,
    private readonly refreshMarginMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async token(credentials: ClientServiceCredentials): Promise<string> {
    const cached = this.cache.get(credentials.clientServiceId);
    if (cached && this.now() < cached.useUntilMs) return cached.accessToken;
    let pending = this.inFlight.get(credentials.clientServiceId);
    if (!pending) {
      pending = this.fetchToken(credentials).finally(() => this.inFlight.delete(credentials.clientServiceId));
      this.inFlight.set(credentials.clientServiceId, pending);
    }
    return (await pending).accessToken;
  }

  /** Forget a token the server refused, unless a newer one already replaced it. */
  invalidate(clientServiceId: string, refusedToken: string): void {
    if (this.cache.get(clientServiceId)?.accessToken === refusedToken) this.cache.delete(clientServiceId);
  }

  private async fetchToken(credentials: ClientServiceCredentials): Promise<CachedToken> {
    this.requests++;
    const requestedAt = this.now();
    const basic = Buffer.from(`${credentials.clientServiceId}:${credentials.secret}`).toString('base64');
    const res = await this.http.request(this.tokenUrl, {
      method: 'POST',
      path: tokenPath,
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = await res.body.json().catch(() => undefined);
    if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
      // Spring's OAuth2 errors ({error, error_description}) do not say more than "bad credentials": keep them out.
      throw new SignstashAccessDeniedError(
        res.statusCode,
        undefined,
        "Sign'Stash token endpoint refused the client credentials",
      );
    }
    if (res.statusCode !== 200) {
      throw classifyApiError({
        httpStatus: res.statusCode,
        body: isWireErrorResponse(body) ? body : undefined,
        what: "Sign'Stash token endpoint",
        path: tokenPath,
      });
    }
    const token = body as Partial<WireTokenResponse> | undefined;
    if (typeof token?.access_token !== 'string' || typeof token.expires_in !== 'number' || token.expires_in <= 0) {
      throw new SignstashMalformedResponseError("Sign'Stash token response lacks access_token or expires_in");
    }
    const lifetimeMs = token.expires_in * 1000;
    const margin = Math.min(this.refreshMarginMs, lifetimeMs / 5);
    const cached = { accessToken: token.access_token, useUntilMs: requestedAt + lifetimeMs - margin };
    this.cache.set(credentials.clientServiceId, cached);
    return cached;
  }
}
