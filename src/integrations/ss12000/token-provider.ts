import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { Ss12000TokenError } from './errors';

/** Gives the bearer token for calls to one huvudman API (direction A of the digest). */
export interface TokenProvider {
  tokenFor(apiBaseUrl: string): Promise<string | undefined>;
}

export class StaticTokenProvider implements TokenProvider {
  constructor(private readonly token: string | undefined) {}
  async tokenFor(): Promise<string | undefined> {
    return this.token;
  }
}

interface CachedToken {
  value: string;
  renewAt: number;
}

/**
 * Fetches tokens from a nutid-style transaction endpoint (`POST {access_token:[{access:[{type:'ss12000-api',
 * locations:[api]}],flags:['bearer']}], client:{key}}`) and caches one per API until 90 % of `expires_in`, as the
 * reference client does. Concurrent callers share one request. With a client certificate the call uses mutual TLS.
 */
export class FetchedTokenProvider implements TokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly dispatcher: Dispatcher | undefined;

  constructor(
    private readonly settings: { url: string; clientKey: string; certFile?: string; keyFile?: string; caFile?: string },
    private readonly timeoutMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    const clientCertificate =
      settings.certFile && settings.keyFile
        ? { cert: readFileSync(settings.certFile), key: readFileSync(settings.keyFile) }
        : {};
    // A token server under a private CA: its roots replace the default ones for this one connection.
    const roots = settings.caFile ? { ca: readFileSync(settings.caFile) } : {};
    if (Object.keys(clientCertificate).length > 0 || settings.caFile) {
      this.dispatcher = new Agent({ connect: { ...clientCertificate, ...roots } });
    }
  }

  async tokenFor(apiBaseUrl: string): Promise<string> {
    const cached = this.cache.get(apiBaseUrl);
    if (cached && cached.renewAt > this.now()) return cached.value;
    let pending = this.inFlight.get(apiBaseUrl);
    if (!pending) {
      pending = this.fetchToken(apiBaseUrl).finally(() => this.inFlight.delete(apiBaseUrl));
      this.inFlight.set(apiBaseUrl, pending);
    }
    return pending;
  }

  private async fetchToken(apiBaseUrl: string): Promise<string> {
    const body = {
      access_token: [{ access: [{ type: 'ss12000-api', locations: [apiBaseUrl] }], flags: ['bearer'] }],
      client: { key: this.settings.clientKey },
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        dispatcher: this.dispatcher,
      });
    } catch (err) {
      throw new Ss12000TokenError(`token server unreachable (${(err as Error).name})`);
    }
    const text = await res.body.text();
    if (res.statusCode !== 200 && res.statusCode !== 201) {
      throw new Ss12000TokenError(`token server answered HTTP ${res.statusCode}`);
    }
    let value: unknown;
    let expiresIn: unknown;
    try {
      const parsed = JSON.parse(text) as { access_token?: { value?: unknown; expires_in?: unknown } };
      value = parsed.access_token?.value;
      expiresIn = parsed.access_token?.expires_in;
    } catch {
      throw new Ss12000TokenError('token server answered with something other than JSON');
    }
    if (typeof value !== 'string' || value.length === 0) throw new Ss12000TokenError('token server gave no token');
    const lifetimeMs = (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 3600) * 1000;
    this.cache.set(apiBaseUrl, { value, renewAt: this.now() + lifetimeMs * 0.9 });
    return value;
  }
}

/** Where bearer tokens come from, as Ferje's configuration says (read by src/modules/ss12000/config.ts). */
export type TokenSettings =
  | { kind: 'static'; value: string }
  | { kind: 'fetched'; url: string; clientKey: string; certFile?: string; keyFile?: string; caFile?: string }
  | { kind: 'none' };

export function createTokenProvider(token: TokenSettings, timeoutMs: number): TokenProvider {
  switch (token.kind) {
    case 'static':
      return new StaticTokenProvider(token.value);
    case 'fetched':
      return new FetchedTokenProvider(token, timeoutMs);
    case 'none':
      return new StaticTokenProvider(undefined);
  }
}
