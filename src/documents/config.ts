import { ConfigError, envInt, envOptional, envString, type Env } from '../config/env';

export interface DocumentsApiConfig {
  host: string;
  port: number;
  /** The keys file; required unless the API runs open (dev stack on loopback only). */
  keysFile?: string;
  /** True only for the dev stack on a loopback address: no authentication, every request is caller `dev`. */
  open: boolean;
  /** Largest document one upload may carry (bytes); larger → 413 and nothing stored. */
  maxUploadBytes: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * FERJE_DOCUMENTS_HOST/PORT, FERJE_DOCUMENTS_KEYS_FILE, FERJE_DOCUMENTS_MAX_UPLOAD_BYTES and FERJE_DOCUMENTS_AUTH
 * (`keys`, the default, or `open`). `open` is refused on any address but loopback, so a misconfigured production
 * deployment fails to start instead of serving documents to anyone.
 */
export function loadDocumentsApiConfig(env: Env, defaults: { open?: boolean } = {}): DocumentsApiConfig {
  const host = envString(env, 'FERJE_DOCUMENTS_HOST', '127.0.0.1');
  const keysFile = envOptional(env, 'FERJE_DOCUMENTS_KEYS_FILE');
  const auth = envString(env, 'FERJE_DOCUMENTS_AUTH', keysFile || !defaults.open ? 'keys' : 'open');
  if (auth !== 'keys' && auth !== 'open') throw new ConfigError('FERJE_DOCUMENTS_AUTH must be "keys" or "open"');
  const open = auth === 'open';
  if (open && !isLoopback(host))
    throw new ConfigError(`FERJE_DOCUMENTS_AUTH=open is allowed only on a loopback address, not ${host}`);
  if (!open && !keysFile)
    throw new ConfigError('FERJE_DOCUMENTS_KEYS_FILE is required (the documents API never runs unauthenticated)');
  return {
    host,
    port: envInt(env, 'FERJE_DOCUMENTS_PORT', 8092, { max: 65535 }),
    keysFile,
    open,
    maxUploadBytes: envInt(env, 'FERJE_DOCUMENTS_MAX_UPLOAD_BYTES', 2 * 1024 ** 3, { min: 1 }),
  };
}
