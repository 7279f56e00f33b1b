import { createHmac, timingSafeEqual } from 'node:crypto';
import { request } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { JwtRejectedError, requestedAccess, verifyJwt, type Jwk, type JwtClaims } from './jwt';

/**
 * The public keys of the webhook token issuer, fetched from its JWKS URL, refreshed hourly and on an unknown `kid`
 * (at most once a minute, so forged kids cannot make us hammer the issuer).
 */
export class JwksCache {
  private keys = new Map<string, Jwk>();
  private fetchedAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  async keyFor(kid: string): Promise<Jwk | undefined> {
    const age = this.now() - this.fetchedAt;
    if (this.fetchedAt === 0 || age > 3_600_000 || (!this.keys.has(kid) && age > 60_000)) {
      try {
        await this.refresh();
      } catch {
        // Keep the keys we had: an issuer outage must not turn valid webhooks into 401s.
      }
    }
    return this.keys.get(kid);
  }

  private refresh(): Promise<void> {
    this.inFlight ??= (async () => {
      try {
        const res = await request(this.url, { headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`JWKS answered HTTP ${res.statusCode}`);
        const jwks = JSON.parse(text) as { keys?: Jwk[] };
        this.keys = new Map(
          (jwks.keys ?? []).filter((k) => typeof k.kid === 'string').map((k) => [k.kid as string, k]),
        );
        this.fetchedAt = this.now();
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

/** The secret part of a subscription's target path: binds the target to the huvudman and its organisation id. */
export function webhookTargetMac(secret: Buffer, huvudman: string, organisationId: string): string {
  return createHmac('sha256', secret)
    .update(`ss12000-target\n${huvudman}\n${organisationId}`)
    .digest('base64url')
    .slice(0, 32);
}

/** What Ferje's configuration says about webhooks (read by src/modules/ss12000/config.ts). */
export interface WebhookSettings {
  /** JWKS of the token issuer (nutid) that signs webhook tokens. */
  jwksUrl?: string;
  issuer: string;
  audience: string;
  /** A `requested_access` entry of type `ss12000-client` must name this location when the token has entries. */
  location: string;
  /**
   * Strict mode: every token must carry that entry. Off by default, because the reference notifier asks nutid for
   * its tokens without an `access` entry, so they carry no `requested_access` at all (see `checkAccess`).
   */
  requireAccess: boolean;
  /** Key for the per-subscription target path (an HMAC over huvudman and organisation id). */
  targetSecret: Buffer;
  publicBaseUrl: string;
}

export function webhookTargetUrl(webhook: WebhookSettings, huvudman: string, organisationId: string): string {
  const mac = webhookTargetMac(webhook.targetSecret, huvudman, organisationId);
  return `${webhook.publicBaseUrl}/webhooks/ss12000/${encodeURIComponent(huvudman)}/${mac}`;
}

export class WebhookUnauthorizedError extends Error {
  override readonly name = 'WebhookUnauthorizedError';
}

/**
 * The `requested_access` rule. Skolverket's reference notifier (skolverket/dnp-ss12000-reference-api,
 * `MTLSAuthOptions.getRequestBody`) requests its token without an `access` array, so a huvudman built on it sends
 * tokens without `requested_access` (or, should nutid echo the empty request, with an empty list). Refusing those
 * would answer every notice of such a huvudman with 401 until its circuit breaker opens. So: a token that names
 * access must name `ss12000-client` access to our location (a token issued for something else is refused); a token
 * that names none is taken, unless strict mode requires the entry.
 */
export function checkAccess(claims: JwtClaims, location: string, requireAccess: boolean): void {
  const raw = claims.requested_access;
  if (raw !== undefined && !Array.isArray(raw)) throw new WebhookUnauthorizedError('requested_access is not a list');
  if ((raw === undefined || raw.length === 0) && !requireAccess) return;
  const wanted = location.replace(/\/+$/, '');
  const allowed = requestedAccess(claims).some(
    (a) => a.type === 'ss12000-client' && a.locations.some((l) => l.replace(/\/+$/, '') === wanted),
  );
  if (!allowed) throw new WebhookUnauthorizedError('token does not grant ss12000-client access to this client');
}

/**
 * Checks a webhook's bearer token: signature by the issuer's JWKS (ES256), issuer, audience and expiry, always;
 * `requested_access` as `checkAccess` says; and `organization_id` equal to the organisation the target was issued
 * for (proved by the target's MAC).
 */
export class WebhookAuthenticator {
  constructor(
    private readonly webhook: WebhookSettings,
    private readonly jwks: JwksCache | undefined,
  ) {}

  async authenticate(headers: IncomingHttpHeaders, huvudman: string, mac: string): Promise<JwtClaims> {
    const auth = headers.authorization;
    if (typeof auth !== 'string' || !/^Bearer [^\s]+$/i.test(auth)) {
      throw new WebhookUnauthorizedError('bearer token required');
    }
    if (!this.jwks) throw new WebhookUnauthorizedError('no webhook JWKS configured');
    let claims: JwtClaims;
    try {
      claims = await verifyJwt(auth.slice(7), {
        keyFor: (kid) => this.jwks!.keyFor(kid),
        issuer: this.webhook.issuer,
        audience: this.webhook.audience,
      });
    } catch (err) {
      if (err instanceof JwtRejectedError) throw new WebhookUnauthorizedError(err.message);
      throw err;
    }
    checkAccess(claims, this.webhook.location, this.webhook.requireAccess);
    const org = claims.organization_id;
    if (typeof org !== 'string' || org.length === 0) throw new WebhookUnauthorizedError('token has no organization_id');
    const expected = Buffer.from(webhookTargetMac(this.webhook.targetSecret, huvudman, org));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new WebhookUnauthorizedError('token organisation does not match this subscription target');
    }
    return claims;
  }
}
