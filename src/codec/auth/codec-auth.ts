import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError, envList, envOptional, type Env } from '../../config/env';
import type { Logger } from '../../logging/logger';
import { bearerOf, CodecAuthError, type CodecPrincipal, type CredentialCheck } from './credential';
import { OidcAccessTokens } from './oidc-jwt';
import { StaticTokenFile } from './static-tokens';

/**
 * Who may ask the codec server to decrypt: a valid credential (a static bearer token or an OIDC access token) for a
 * namespace on the allow-list. Without it the server is an open decryption service for personal data, so the only
 * open mode is the dev stack's, on a loopback address.
 */
export type CodecAccess =
  { kind: 'authenticated'; checks: CredentialCheck[]; namespaces: string[] } | { kind: 'open-dev-loopback' };

export type AccessDecision =
  | { status: 200; principal: CodecPrincipal; namespace: string }
  | { status: 401; reason: string }
  | { status: 403; reason: string; principal: CodecPrincipal };

export async function decideAccess(access: CodecAccess, headers: IncomingHttpHeaders): Promise<AccessDecision> {
  const namespace = headerValue(headers['x-namespace']);
  if (access.kind === 'open-dev-loopback') {
    return { status: 200, principal: { name: 'dev', kind: 'open' }, namespace: namespace ?? '' };
  }
  const bearer = bearerOf(headers);
  if (!bearer) return { status: 401, reason: 'missing' };
  const check = access.checks.find((c) => c.accepts(bearer));
  if (!check) return { status: 401, reason: 'unsupported-credential' };
  let principal: CodecPrincipal;
  try {
    principal = await check.verify(bearer);
  } catch (err) {
    if (err instanceof CodecAuthError) return { status: 401, reason: err.reason };
    throw err;
  }
  // The UI and the CLI name the namespace in X-Namespace; a request that does not cannot prove it is allowed.
  if (!namespace) return { status: 403, reason: 'no-namespace', principal };
  const allowed = access.namespaces.includes(namespace) && (principal.namespaces?.includes(namespace) ?? true);
  if (!allowed) return { status: 403, reason: 'namespace', principal };
  return { status: 200, principal, namespace };
}

const headerValue = (v: string | string[] | undefined): string | undefined =>
  (Array.isArray(v) ? v[0] : v) || undefined;

/** Whether a listen address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * The codec server's access from the environment:
 *   FERJE_CODEC_TOKEN_FILE        file of hashed static tokens (see static-tokens.ts; `ferje keys codec-token`)
 *   FERJE_CODEC_OIDC_ISSUER       issuer of operators' access tokens, with FERJE_CODEC_OIDC_AUDIENCE (required)
 *   FERJE_CODEC_OIDC_JWKS_URL     the issuer's key set, when discovery is not wanted
 *   FERJE_CODEC_NAMESPACES        namespaces whose payloads may be decoded (default: TEMPORAL_NAMESPACE or default)
 * Returns undefined when no credential source is configured: the caller decides whether it may run open.
 */
export function codecAccessFromEnv(env: Env, logger: Logger): CodecAccess | undefined {
  const checks: CredentialCheck[] = [];
  const tokenFile = envOptional(env, 'FERJE_CODEC_TOKEN_FILE');
  if (tokenFile) {
    checks.push(
      new StaticTokenFile(tokenFile, (err) => {
        logger.error('codec token file unreadable; keeping the last good tokens', { error: err.message });
      }),
    );
  }
  const issuer = envOptional(env, 'FERJE_CODEC_OIDC_ISSUER');
  if (issuer) {
    const audience = envOptional(env, 'FERJE_CODEC_OIDC_AUDIENCE');
    if (!audience) throw new ConfigError('FERJE_CODEC_OIDC_AUDIENCE is required with FERJE_CODEC_OIDC_ISSUER');
    const jwksUrl = envOptional(env, 'FERJE_CODEC_OIDC_JWKS_URL');
    for (const url of [issuer, jwksUrl].filter((u): u is string => u !== undefined)) requireSafeUrl(url);
    checks.push(new OidcAccessTokens({ issuer, audience, jwksUrl }));
  }
  if (checks.length === 0) return undefined;
  const namespaces = envList(env, 'FERJE_CODEC_NAMESPACES', [envOptional(env, 'TEMPORAL_NAMESPACE') ?? 'default']);
  return { kind: 'authenticated', checks, namespaces };
}

/** Keys fetched over plain HTTP could be swapped on the way, so only a loopback issuer may skip TLS. */
function requireSafeUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`codec OIDC URL is not absolute: "${raw}"`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(host))) {
    throw new ConfigError(`codec OIDC URL must use https: "${raw}"`);
  }
}

/** For `ferje codec-server`: refuses to start without a credential source, so it never runs open by accident. */
export function requireCodecAccess(env: Env, logger: Logger): CodecAccess {
  const access = codecAccessFromEnv(env, logger);
  if (!access) {
    throw new ConfigError(
      'the codec server needs FERJE_CODEC_TOKEN_FILE and/or FERJE_CODEC_OIDC_ISSUER (+ FERJE_CODEC_OIDC_AUDIENCE): ' +
        'without them anyone who reaches it could decrypt payloads',
    );
  }
  return access;
}
