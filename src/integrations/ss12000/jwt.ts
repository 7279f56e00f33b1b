import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/**
 * ES256 JSON Web Tokens, the format nutid (Sunet's token server) issues for both directions of DNP: bearer tokens
 * for calls to a huvudman API and the tokens a huvudman's notifier puts on webhooks. Only ES256 is accepted; the
 * algorithm in the header is checked against the key, never trusted on its own.
 */
export type JwtClaims = Record<string, unknown> & {
  iss?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
};

export interface Jwk extends JsonWebKey {
  kid?: string;
  alg?: string;
  use?: string;
}

export interface Jwks {
  keys: Jwk[];
}

/** Why a token was refused; the message names the check, never the token or its claims' values. */
export class JwtRejectedError extends Error {
  override readonly name = 'JwtRejectedError';
  constructor(
    readonly reason:
      | 'malformed'
      | 'algorithm'
      | 'unknown-key'
      | 'signature'
      | 'expired'
      | 'not-yet-valid'
      | 'issuer'
      | 'audience'
      | 'claims',
    message: string,
  ) {
    super(message);
  }
}

const b64url = (buf: Buffer): string => buf.toString('base64url');

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Jwk;
}

export function generateSigningKey(kid = `ferje-${randomUUID().slice(0, 8)}`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

export function signingKeyFromJwk(privateJwk: Jwk): SigningKey {
  if (!privateJwk.kid) throw new Error('signing key needs a kid');
  const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    kid: privateJwk.kid,
    privateKey,
    publicJwk: { ...publicJwk, kid: privateJwk.kid, alg: 'ES256', use: 'sig' },
  };
}

export function signJwt(key: SigningKey, claims: JwtClaims): string {
  const header = b64url(Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: key.kid })));
  const payload = b64url(Buffer.from(JSON.stringify(claims)));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${header}.${payload}.${b64url(signature)}`;
}

export interface VerifyOptions {
  /** Returns the public key for a `kid`, or undefined when unknown (may refresh a JWKS). */
  keyFor(kid: string): Promise<Jwk | undefined>;
  issuer?: string;
  audience?: string;
  /** Seconds of clock skew tolerated on exp/nbf (default 60). */
  leewaySeconds?: number;
  nowSeconds?: number;
}

function parseSegment(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new JwtRejectedError('malformed', 'token segment is not base64url JSON');
  }
}

/** Verifies signature (ES256, by kid), expiry, not-before, issuer and audience; returns the claims. */
export async function verifyJwt(token: string, options: VerifyOptions): Promise<JwtClaims> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new JwtRejectedError('malformed', 'token is not a compact JWS');
  }
  const header = parseSegment(parts[0]);
  if (header.alg !== 'ES256') throw new JwtRejectedError('algorithm', 'only ES256 tokens are accepted');
  if (typeof header.kid !== 'string') throw new JwtRejectedError('unknown-key', 'token has no kid');
  const jwk = await options.keyFor(header.kid);
  if (!jwk) throw new JwtRejectedError('unknown-key', 'token was signed with an unknown key');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new JwtRejectedError('algorithm', 'key is not an EC P-256 key');
  let ok: boolean;
  try {
    const { kid: _kid, alg: _alg, use: _use, ...material } = jwk;
    const key = createPublicKey({ key: material, format: 'jwk' });
    ok = verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(parts[2], 'base64url'),
    );
  } catch {
    ok = false;
  }
  if (!ok) throw new JwtRejectedError('signature', 'token signature does not verify');
  const claims = parseSegment(parts[1]) as JwtClaims;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const leeway = options.leewaySeconds ?? 60;
  if (typeof claims.exp !== 'number') throw new JwtRejectedError('expired', 'token has no exp');
  if (now - leeway >= claims.exp) throw new JwtRejectedError('expired', 'token has expired');
  if (typeof claims.nbf === 'number' && now + leeway < claims.nbf) {
    throw new JwtRejectedError('not-yet-valid', 'token is not valid yet');
  }
  if (options.issuer !== undefined && claims.iss !== options.issuer) {
    throw new JwtRejectedError('issuer', 'token has the wrong issuer');
  }
  if (options.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(options.audience)) throw new JwtRejectedError('audience', 'token has the wrong audience');
  }
  return claims;
}

/** The `requested_access` entries of a nutid token. */
export function requestedAccess(claims: JwtClaims): { type: string; locations: string[] }[] {
  const raw = claims.requested_access;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { type, locations } = entry as { type?: unknown; locations?: unknown };
    if (typeof type !== 'string') return [];
    return [
      { type, locations: Array.isArray(locations) ? locations.filter((l): l is string => typeof l === 'string') : [] },
    ];
  });
}
