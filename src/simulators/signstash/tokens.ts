import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens that every instance can check without shared state (§9.5): `base64url(claims).base64url(hmac)`,
 * signed with a key all simulated instances and the token endpoint know.
 */
export interface TokenClaims {
  sub: string;
  exp: number;
  jti: string;
}

export class TokenSigner {
  constructor(private key: Buffer) {}

  /** New key: every token issued so far stops validating (a test's way to expire tokens early). */
  rotate(key: Buffer): void {
    this.key = key;
  }

  mint(clientServiceId: string, ttlSeconds: number, nowMs = Date.now()): string {
    const claims: TokenClaims = { sub: clientServiceId, exp: Math.floor(nowMs / 1000) + ttlSeconds, jti: randomUUID() };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a valid, unexpired token; undefined otherwise. */
  verify(token: string, nowMs = Date.now()): TokenClaims | undefined {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      return claims.exp * 1000 > nowMs ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
