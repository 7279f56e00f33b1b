import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envBool, envInt, envList, envOptional, envString, envUrl, ConfigError, type Env } from '../../config/env';
import type { FerjeConfig } from '../../config/ferje-config';
import { isPostgresUrl } from '../../integrations/ss12000/store/location';
import {
  deletedEntitiesQueryStyles,
  isDeletedEntitiesQueryStyle,
  type DeletedEntitiesQueryStyle,
} from '../../integrations/ss12000/deleted-entities-query';
import type { TokenSettings } from '../../integrations/ss12000/token-provider';
import type { WebhookSettings } from '../../integrations/ss12000/webhook-auth';

/** Skolverket's SS12000 Client entity id: the client key it asks nutid for tokens with (digest §4). */
export const skolverketClientEntityId = 'https://api.skolverket.se/provtjanst/ss12000/klient/v1';

export interface Ss12000Config {
  /** Bearer token for the huvudman APIs: a static token, or fetched from a nutid-style token server and cached. */
  token: TokenSettings;
  webhook: WebhookSettings;
  /** Partner endpoints come from here only, never from a flow input (see `resolveApiBaseUrl`). */
  endpoints: Ss12000Endpoints;
  /** The embedded store's file (the default). */
  storePath: string;
  /** `FERJE_SS12000_STORE`: a Postgres URL that several workers share (and other systems read) instead. */
  storeUrl?: string;
  httpTimeoutMs: number;
  /** Parallel POSTs of log entries per page. */
  reportConcurrency: number;
  /** Request a step's next page while this one is stored (src/integrations/ss12000/read-ahead.ts). */
  readAhead: boolean;
  /** How `entities` is written on `/deletedEntities`: a default and per-huvudman exceptions. */
  deletedEntitiesStyle: { default: DeletedEntitiesQueryStyle; byHuvudman: Record<string, DeletedEntitiesQueryStyle> };
}

/** The `/deletedEntities` query style for a huvudman: its own setting, else the default. */
export function deletedEntitiesStyleFor(
  config: Ss12000Config,
  huvudman: string | undefined,
): DeletedEntitiesQueryStyle {
  return (
    (huvudman !== undefined && config.deletedEntitiesStyle.byHuvudman[huvudman]) || config.deletedEntitiesStyle.default
  );
}

function readDeletedEntitiesStyle(env: Env): Ss12000Config['deletedEntitiesStyle'] {
  const styles = deletedEntitiesQueryStyles.join(', ');
  const fallback = envString(env, 'SS12000_DELETED_ENTITIES_STYLE', 'portable');
  if (!isDeletedEntitiesQueryStyle(fallback))
    throw new ConfigError(`SS12000_DELETED_ENTITIES_STYLE must be one of ${styles}`);
  const byHuvudman: Record<string, DeletedEntitiesQueryStyle> = {};
  for (const entry of envList(env, 'SS12000_HUVUDMAN_DELETED_ENTITIES_STYLES', [])) {
    const at = entry.indexOf('=');
    const style = entry.slice(at + 1);
    if (at <= 0 || !isDeletedEntitiesQueryStyle(style)) {
      throw new ConfigError(`SS12000_HUVUDMAN_DELETED_ENTITIES_STYLES must be a list of ref=style (${styles})`);
    }
    byHuvudman[entry.slice(0, at)] = style;
  }
  return { default: fallback, byHuvudman };
}

/**
 * Where Ferje may send requests, credentials and callback bodies: each huvudman's API from `SS12000_HUVUDMAN_APIS`
 * (`ref=url,ref=url`), or else any API under one of the operator's `SS12000_API_ALLOWED_URLS`; registration
 * callbacks only under `SS12000_CALLBACK_ALLOWED_URLS`. Nothing configured means nothing allowed.
 */
export interface Ss12000Endpoints {
  huvudmanApis: Record<string, string>;
  allowedApiUrls: string[];
  allowedCallbackUrls: string[];
}

function readEndpoints(env: Env): Ss12000Endpoints {
  const huvudmanApis: Record<string, string> = {};
  for (const entry of envList(env, 'SS12000_HUVUDMAN_APIS', [])) {
    const at = entry.indexOf('=');
    const url = entry.slice(at + 1);
    if (at <= 0 || !isHttpUrl(url)) throw new ConfigError('SS12000_HUVUDMAN_APIS must be a list of ref=http(s)-URL');
    huvudmanApis[entry.slice(0, at)] = url.replace(/\/+$/, '');
  }
  const urls = (name: string): string[] => {
    const list = envList(env, name, []);
    if (!list.every(isHttpUrl)) throw new ConfigError(`${name} must be a list of http(s) URLs`);
    return list;
  };
  return {
    huvudmanApis,
    allowedApiUrls: urls('SS12000_API_ALLOWED_URLS'),
    allowedCallbackUrls: urls('SS12000_CALLBACK_ALLOWED_URLS'),
  };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The webhook target key: generated once per data directory unless SS12000_WEBHOOK_SECRET is set. */
function targetSecret(env: Env, dataDir: string): Buffer {
  const configured = envOptional(env, 'SS12000_WEBHOOK_SECRET');
  if (configured) {
    if (configured.length < 32) throw new ConfigError('SS12000_WEBHOOK_SECRET must be at least 32 characters');
    return Buffer.from(configured, 'utf8');
  }
  const file = path.join(dataDir, 'ss12000', 'webhook-secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}

function sharedStoreUrl(env: Env): string | undefined {
  const url = envOptional(env, 'FERJE_SS12000_STORE');
  if (url !== undefined && !isPostgresUrl(url)) {
    throw new ConfigError(
      'FERJE_SS12000_STORE must be a postgres:// URL (leave it unset for the embedded store at SS12000_STORE_PATH)',
    );
  }
  return url;
}

export function loadSs12000Config(env: Env, config: FerjeConfig): Ss12000Config {
  const staticToken = envOptional(env, 'SS12000_API_TOKEN');
  const tokenUrl = envOptional(env, 'SS12000_TOKEN_URL');
  const clientKey = envString(env, 'SS12000_CLIENT_KEY', skolverketClientEntityId);
  const certFile = envOptional(env, 'SS12000_TOKEN_CLIENT_CERT_FILE');
  const keyFile = envOptional(env, 'SS12000_TOKEN_CLIENT_KEY_FILE');
  // One without the other would silently call the token server without a client certificate.
  if (!certFile !== !keyFile) {
    throw new ConfigError('SS12000_TOKEN_CLIENT_CERT_FILE and SS12000_TOKEN_CLIENT_KEY_FILE must be set together');
  }
  const token: TokenSettings = staticToken
    ? { kind: 'static', value: staticToken }
    : tokenUrl
      ? {
          kind: 'fetched',
          url: envUrl(env, 'SS12000_TOKEN_URL'),
          clientKey,
          certFile,
          keyFile,
          caFile: envOptional(env, 'SS12000_TOKEN_CA_FILE'),
        }
      : { kind: 'none' };
  return {
    token,
    webhook: {
      jwksUrl: envOptional(env, 'SS12000_WEBHOOK_JWKS_URL'),
      issuer: envString(env, 'SS12000_WEBHOOK_ISSUER', 'https://nutid-auth.sunet.se'),
      audience: envString(env, 'SS12000_WEBHOOK_AUDIENCE', 'nutid'),
      location: envString(env, 'SS12000_WEBHOOK_LOCATION', clientKey),
      requireAccess: envBool(env, 'SS12000_WEBHOOK_REQUIRE_ACCESS', false),
      targetSecret: targetSecret(env, config.dataDir),
      publicBaseUrl: config.ingress.publicBaseUrl,
    },
    endpoints: readEndpoints(env),
    storePath: path.resolve(envString(env, 'SS12000_STORE_PATH', path.join(config.dataDir, 'ss12000', 'store.sqlite'))),
    storeUrl: sharedStoreUrl(env),
    httpTimeoutMs: envInt(env, 'SS12000_HTTP_TIMEOUT_MS', 30_000, { min: 100 }),
    reportConcurrency: envInt(env, 'SS12000_REPORT_CONCURRENCY', 8, { min: 1, max: 64 }),
    readAhead: envBool(env, 'SS12000_READ_AHEAD', true),
    deletedEntitiesStyle: readDeletedEntitiesStyle(env),
  };
}
