import {
  generateSigningKey,
  signJwt,
  verifyJwt,
  requestedAccess,
  signingKeyFromJwk,
  type Jwk,
  type JwtClaims,
  type SigningKey,
} from '../../integrations/ss12000/jwt';

/** Skolverket's organisation id: bearer tokens on calls to a huvudman API must carry it (digest §4). */
export const skolverketOrganisationId = 'SE2021004185';

export type TokenVariant =
  'valid' | 'forged' | 'expired' | 'wrong-audience' | 'wrong-issuer' | 'wrong-organisation' | 'wrong-access';

/**
 * What a webhook token says about its access. The reference notifier asks nutid for a token without an `access`
 * entry (`MTLSAuthOptions.getRequestBody` in skolverket/dnp-ss12000-reference-api), so its tokens carry no
 * `requested_access` (`omitted`), or, if nutid echoes the empty request, an empty list (`empty`); a notifier that
 * asks for `ss12000-client` access to Skolverket's client gets the entry (`ss12000-client`).
 */
export type WebhookTokenAccess = 'omitted' | 'empty' | 'ss12000-client';
export const webhookTokenAccesses: readonly WebhookTokenAccess[] = ['omitted', 'empty', 'ss12000-client'];

/**
 * A stand-in for nutid, the token server: one ES256 key published as a JWKS, tokens for both directions. `forged`
 * tokens are signed with a second key under the same kid, so only a real signature check catches them.
 */
export class FakeIssuer {
  readonly key: SigningKey;
  private readonly forger: SigningKey;

  constructor(
    readonly issuerUrl: string,
    readonly audience = 'nutid',
    keys?: { key: SigningKey; forger: SigningKey },
  ) {
    this.key = keys?.key ?? generateSigningKey('nutid_sim_1');
    this.forger = keys?.forger ?? generateSigningKey('nutid_sim_1');
  }

  /** The private keys as JWKs, so a restarted token server keeps publishing (and signing with) the same key. */
  exportKeys(): { key: Jwk; forger: Jwk } {
    const jwk = (k: SigningKey): Jwk => ({ ...(k.privateKey.export({ format: 'jwk' }) as Jwk), kid: k.kid });
    return { key: jwk(this.key), forger: jwk(this.forger) };
  }

  static importKeys(saved: { key: Jwk; forger: Jwk }): { key: SigningKey; forger: SigningKey } {
    return { key: signingKeyFromJwk(saved.key), forger: signingKeyFromJwk(saved.forger) };
  }

  jwks(): { keys: unknown[] } {
    return { keys: [this.key.publicJwk] };
  }

  mint(claims: JwtClaims, lifetimeSeconds: number, variant: TokenVariant = 'valid'): string {
    const now = Math.floor(Date.now() / 1000);
    const base: JwtClaims = {
      iss: variant === 'wrong-issuer' ? 'https://issuer.invalid' : this.issuerUrl,
      aud: variant === 'wrong-audience' ? 'someone-else' : this.audience,
      iat: now,
      nbf: now,
      exp: variant === 'expired' ? now - 3600 : now + lifetimeSeconds,
      version: 1,
      auth_source: 'tlsfed',
      ...claims,
    };
    return signJwt(variant === 'forged' ? this.forger : this.key, base);
  }

  /**
   * Token the huvudman's notifier puts on a webhook, in the shape `access` names; `wrong-access` always carries an
   * entry of another type (`ss12000-api`), a token issued for something else.
   */
  webhookToken(
    organisationId: string,
    clientLocation: string,
    variant: TokenVariant = 'valid',
    access: WebhookTokenAccess = 'omitted',
  ): string {
    const claims: JwtClaims = { organization_id: variant === 'wrong-organisation' ? 'SE5560000000' : organisationId };
    if (variant === 'wrong-access') claims.requested_access = [{ type: 'ss12000-api', locations: [clientLocation] }];
    else if (access === 'empty') claims.requested_access = [];
    else if (access === 'ss12000-client') {
      claims.requested_access = [{ type: 'ss12000-client', locations: [clientLocation] }];
    }
    return this.mint(claims, 3600, variant);
  }

  /** Checks a bearer token on a call to a huvudman API, as the reference does; returns the HTTP status to answer. */
  async checkApiToken(
    authorization: string | undefined,
    apiUrl: string,
    expectedOrg: string,
  ): Promise<200 | 401 | 403> {
    if (!authorization?.startsWith('Bearer ')) return 401;
    let claims: JwtClaims;
    try {
      claims = await verifyJwt(authorization.slice(7), {
        keyFor: async (kid) => (kid === this.key.kid ? this.key.publicJwk : undefined),
      });
    } catch {
      return 401;
    }
    if (claims.organization_id !== expectedOrg) return 401;
    // The reference checks that a location of the ss12000-api entry *contains* its configured URL.
    const ok = requestedAccess(claims).some(
      (a) => a.type === 'ss12000-api' && a.locations.some((l) => l.includes(apiUrl)),
    );
    return ok ? 200 : 403;
  }
}
