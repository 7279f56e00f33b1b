import { readFileSync } from 'node:fs';
import { ConfigError, envInt, envOptional, envString, envUrl, type Env } from '../../config/env';
import type { SignatureOperationPolicy } from '../../contract/signstash';
import { InstanceAllowList } from '../../integrations/signstash/allow-list';
import type { ClientServiceCredentials, SignstashClientSettings } from '../../integrations/signstash/model';
import { loadWireProfile } from '../../integrations/signstash/wire-profile';

/** Everything the Sign'Stash activities read from the environment (see docs/signstash.md for each variable). */
export interface SignstashConfig extends SignstashClientSettings {
  credentials: Map<string, ClientServiceCredentials>;
  /** Tolerated difference between our clock and the proxy's when adopting an operation after a crashed start. */
  clockSkewMs: number;
  /** Where the proxy publishes its OpenAPI document; unset: the Spring defaults under the proxy's base are tried. */
  openApiUrl: string | undefined;
  /** The deployment's policy; a caller's `options` override some of it (activities/signstash/prepare.ts). */
  defaults: SignatureOperationPolicy;
}

export function loadSignstashConfig(env: Env): SignstashConfig {
  const onInstanceLost = envString(env, 'SIGNSTASH_ON_INSTANCE_LOST', 'fail');
  if (onInstanceLost !== 'fail' && onInstanceLost !== 'restart') {
    throw new ConfigError(`SIGNSTASH_ON_INSTANCE_LOST must be "fail" or "restart", got "${onInstanceLost}"`);
  }
  const scheme = envString(env, 'SIGNSTASH_INSTANCE_SCHEME', 'http');
  if (scheme !== 'http' && scheme !== 'https') throw new ConfigError('SIGNSTASH_INSTANCE_SCHEME must be http or https');
  const seconds = (name: string, fallback: number, min = 1): number =>
    envInt(env, name, fallback, { min, max: 7 * 24 * 3600 }) * 1000;
  return {
    baseUrl: envUrl(env, 'SIGNSTASH_BASE_URL'),
    tokenUrl: envUrl(env, 'SIGNSTASH_TOKEN_URL'),
    allowList: InstanceAllowList.parse(envString(env, 'SIGNSTASH_INSTANCE_ALLOWLIST')),
    instanceScheme: scheme,
    credentials: loadCredentials(env),
    tokenRefreshMarginMs: seconds('SIGNSTASH_TOKEN_REFRESH_MARGIN_SECONDS', 60, 0),
    connectTimeoutMs: seconds('SIGNSTASH_CONNECT_TIMEOUT_SECONDS', 5),
    requestTimeoutMs: seconds('SIGNSTASH_REQUEST_TIMEOUT_SECONDS', 30),
    transferTimeoutMs: seconds('SIGNSTASH_TRANSFER_TIMEOUT_SECONDS', 600),
    connectionsPerOrigin: envInt(env, 'SIGNSTASH_CONNECTIONS_PER_INSTANCE', 16, { min: 1, max: 256 }),
    clockSkewMs: seconds('SIGNSTASH_CLOCK_SKEW_SECONDS', 300, 0),
    wireProfile: loadWireProfile(envOptional(env, 'SIGNSTASH_WIRE_PROFILE')),
    openApiUrl: envOptional(env, 'SIGNSTASH_OPENAPI_URL'),
    defaults: {
      onInstanceLost,
      instanceLostAfterMs: seconds('SIGNSTASH_INSTANCE_LOST_AFTER_SECONDS', 600),
      maxRestarts: envInt(env, 'SIGNSTASH_MAX_RESTARTS', 2, { min: 1, max: 9 }),
      operationTimeoutMs: seconds('SIGNSTASH_OPERATION_TIMEOUT_SECONDS', 1800, 5),
      startRetryIntervalMs: seconds('SIGNSTASH_START_RETRY_INTERVAL_SECONDS', 60),
      firstPollDelayMs: envInt(env, 'SIGNSTASH_FIRST_POLL_DELAY_MS', 2000, { min: 100, max: 600_000 }),
      maxPollDelayMs: seconds('SIGNSTASH_MAX_POLL_DELAY_SECONDS', 30),
      maxPollsPerRun: envInt(env, 'SIGNSTASH_MAX_POLLS_PER_RUN', 500, { min: 2, max: 2000 }),
    },
  };
}

/**
 * `SIGNSTASH_CLIENT_SERVICE_ID` + `SIGNSTASH_CLIENT_SECRET` for one client service, and/or
 * `SIGNSTASH_CLIENT_SERVICES_FILE`: a file in the proxy's own `client-services-config.json` shape
 * (`{ "<id>": { "secret": "…" } }`) for several.
 */
function loadCredentials(env: Env): Map<string, ClientServiceCredentials> {
  const out = new Map<string, ClientServiceCredentials>();
  const file = envOptional(env, 'SIGNSTASH_CLIENT_SERVICES_FILE');
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`SIGNSTASH_CLIENT_SERVICES_FILE ${file} is not readable JSON: ${(err as Error).message}`);
    }
    for (const [clientServiceId, entry] of Object.entries((parsed ?? {}) as Record<string, { secret?: unknown }>)) {
      if (typeof entry?.secret !== 'string' || entry.secret === '') {
        throw new ConfigError(`SIGNSTASH_CLIENT_SERVICES_FILE: client service ${clientServiceId} has no secret`);
      }
      out.set(clientServiceId, { clientServiceId, secret: entry.secret });
    }
  }
  const id = envOptional(env, 'SIGNSTASH_CLIENT_SERVICE_ID');
  if (id) out.set(id, { clientServiceId: id, secret: envString(env, 'SIGNSTASH_CLIENT_SECRET') });
  if (out.size === 0) {
    throw new ConfigError(
      'Set SIGNSTASH_CLIENT_SERVICE_ID and SIGNSTASH_CLIENT_SECRET, or SIGNSTASH_CLIENT_SERVICES_FILE',
    );
  }
  return out;
}
