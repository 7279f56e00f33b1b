import { constants, verify, type KeyObject } from 'node:crypto';
import { CodecAuthError, type CodecPrincipal, type CredentialCheck } from './credential';
import { RemoteJwks } from './jwks';

/**
 * Access tokens from the operators' OIDC issuer (the Temporal UI forwards the signed-in user's token when
 * `TEMPORAL_CODEC_PASS_ACCESS_TOKEN` is set). Asymmetric algorithms only: `none` and HMAC are refused, and the
 * algorithm must fit the key type, so a token cannot choose how it is checked.
 */
export interface OidcOptions {
  issuer: string;
  audience: string;
  jwksUrl?: string;
  leewaySeconds?: number;
}

type Check = (data: Buffer, key: KeyObject, signature: Buffer) => boolean;

const rsa =
  (hash: string): Check =>
  (data, key, sig) =>
    key.asymmetricKeyType === 'rsa' && verify(hash, data, key, sig);
const pss =
  (hash: string, saltLength: number): Check =>
  (data, key, sig) =>
    (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
    verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
const ec =
  (hash: string, curve: string): Check =>
  (data, key, sig) =>
    key.asymmetricKeyType === 'ec' &&
    key.asymmetricKeyDetails?.namedCurve === curve &&
    verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);

const ALGORITHMS: Record<string, Check> = {
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: pss('sha256', 32),
  PS384: pss('sha384', 48),
  PS512: pss('sha512', 64),
  ES256: ec('sha256', 'prime256v1'),
  ES384: ec('sha384', 'secp384r1'),
  EdDSA: (data, key, sig) => key.asymmetricKeyType === 'ed25519' && verify(null, data, key, sig),
};

function segment(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new CodecAuthError('malformed', 'token segment is not base64url JSON');
}

export class OidcAccessTokens implements CredentialCheck {
  private readonly jwks: RemoteJwks;

  constructor(private readonly options: OidcOptions) {
    this.jwks = new RemoteJwks({ issuer: options.issuer, jwksUrl: options.jwksUrl });
  }

  accepts(bearer: string): boolean {
    return bearer.split('.').length === 3;
  }

  async missing(): Promise<string | undefined> {
    try {
      const keys = await this.jwks.loadedKeys();
      return keys === 0 ? `issuer ${this.options.issuer} publishes no usable signing key` : undefined;
    } catch (err) {
      return `keys of issuer ${this.options.issuer} unreachable (${(err as Error).message})`;
    }
  }

  async verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<CodecPrincipal> {
    const parts = token.split('.');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
      throw new CodecAuthError('malformed', 'token is not a compact JWS');
    }
    const header = segment(parts[0]);
    const check = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (!check) throw new CodecAuthError('algorithm', 'token algorithm is not accepted');
    const key = await this.jwks.keyFor(typeof header.kid === 'string' ? header.kid : undefined);
    if (!key) throw new CodecAuthError('unknown-key', 'token was signed with a key the issuer does not publish');
    let valid = false;
    try {
      valid = check(Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
    } catch {
      valid = false;
    }
    if (!valid) throw new CodecAuthError('signature', 'token signature does not verify');

    const claims = segment(parts[1]);
    const leeway = this.options.leewaySeconds ?? 60;
    if (typeof claims.exp !== 'number') throw new CodecAuthError('expired', 'token has no exp');
    if (nowSeconds - leeway >= claims.exp) throw new CodecAuthError('expired', 'token has expired');
    if (typeof claims.nbf === 'number' && nowSeconds + leeway < claims.nbf) {
      throw new CodecAuthError('not-yet-valid', 'token is not valid yet');
    }
    if (claims.iss !== this.options.issuer) throw new CodecAuthError('issuer', 'token has another issuer');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.options.audience)) {
      throw new CodecAuthError('audience', 'token is meant for another audience');
    }
    // The subject names the operator in audit lines, unless it looks like an e-mail address (personal data).
    const sub = typeof claims.sub === 'string' && !claims.sub.includes('@') ? claims.sub : 'oidc-user';
    return { name: sub, kind: 'jwt' };
  }
}
