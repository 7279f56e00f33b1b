import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface Jwk extends JsonWebKey {
  kid?: string;
  alg?: string;
  use?: string;
}

/**
 * The signing keys of an OIDC issuer, fetched from its `jwks_uri` (found through the issuer's discovery document
 * unless given). Keys are cached; an unknown `kid` refetches the set — at most once per `minRefetchMs`, so a
 * stream of forged kids cannot make the codec server hammer the issuer.
 */
export class RemoteJwks {
  private keys = new Map<string, KeyObject>();
  private lastFetch = 0;
  private inflight: Promise<void> | undefined;
  private jwksUrl: string | undefined;

  constructor(
    private readonly options: { issuer: string; jwksUrl?: string; minRefetchMs?: number; timeoutMs?: number },
  ) {
    this.jwksUrl = options.jwksUrl;
  }

  async keyFor(kid: string | undefined): Promise<KeyObject | undefined> {
    const cached = this.lookup(kid);
    if (cached) return cached;
    if (Date.now() - this.lastFetch >= (this.options.minRefetchMs ?? 30_000)) {
      this.inflight ??= this.refresh().finally(() => (this.inflight = undefined));
      await this.inflight;
    }
    return this.lookup(kid);
  }

  /** Fetches the key set if none is loaded yet; the number of usable keys (throws when the issuer is unreachable). */
  async loadedKeys(): Promise<number> {
    if (this.keys.size === 0) {
      this.inflight ??= this.refresh().finally(() => (this.inflight = undefined));
      await this.inflight;
    }
    return this.keys.size;
  }

  private lookup(kid: string | undefined): KeyObject | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    // A token without kid is acceptable only when the issuer publishes exactly one key.
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  private async refresh(): Promise<void> {
    this.lastFetch = Date.now();
    this.jwksUrl ??= await this.discover();
    const body = (await this.getJson(this.jwksUrl)) as { keys?: Jwk[] };
    const keys = new Map<string, KeyObject>();
    for (const [index, jwk] of (body.keys ?? []).entries()) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      const { kid, alg: _alg, use: _use, key_ops: _ops, ...material } = jwk as Jwk & { key_ops?: unknown };
      try {
        keys.set(kid ?? `#${index}`, createPublicKey({ key: material, format: 'jwk' }));
      } catch {
        // A key type Node cannot read is simply not usable for verification.
      }
    }
    this.keys = keys;
  }

  private async discover(): Promise<string> {
    const config = (await this.getJson(
      `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    )) as { jwks_uri?: string; issuer?: string };
    if (typeof config.jwks_uri !== 'string') throw new Error('OIDC discovery document has no jwks_uri');
    return config.jwks_uri;
  }

  private async getJson(url: string): Promise<unknown> {
    const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    return res.json();
  }
}
