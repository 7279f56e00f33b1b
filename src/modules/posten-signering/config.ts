import { readFileSync } from 'node:fs';
import { ConfigError, envInt, envList, envOptional, envString, envUrl, type Env } from '../../config/env';
import { taskQueues } from '../../contract/task-queues';
import type { UnownedJobPolicy } from '../../contract/posten-signering';

export const POSTEN_PRODUCTION_ROOT = 'https://api.signering.posten.no/api';
export const POSTEN_ORGANIZATION_NUMBER = '984661185';

export interface PollerTarget {
  sender: string;
  pollingQueue?: string;
}

export interface PostenSigneringConfig {
  /** `<root>` of the API, e.g. https://api.signering.posten.no/api (no trailing slash). */
  baseUrl: string;
  keystore?: { file: string; passphrase: string };
  /** PEM file with the roots the server certificate must chain to; absent = Node's default roots. */
  trustedRootsFile?: string;
  /** Organisation number the server certificate must carry instead of a host name. */
  serverOrganizationNumber: string;
  maxRequestsPerSecond: number;
  apiTimeoutMs: number;
  downloadTimeoutMs: number;
  /** Pollers the worker ensures at start (job workflows ensure their own queue's poller too). */
  pollers: PollerTarget[];
  unownedPolicy: UnownedJobPolicy;
  /** Where job, poller and unowned workflows run (tests give each run its own). */
  taskQueue: string;
}

export function loadPostenConfig(env: Env): PostenSigneringConfig {
  const baseUrl = envUrl(env, 'POSTEN_SIGNERING_BASE_URL', POSTEN_PRODUCTION_ROOT);
  const file = envOptional(env, 'POSTEN_SIGNERING_KEYSTORE_FILE');
  let keystore: PostenSigneringConfig['keystore'];
  if (file) {
    const passphraseFile = envOptional(env, 'POSTEN_SIGNERING_KEYSTORE_PASSPHRASE_FILE');
    const passphrase = passphraseFile
      ? readFileSync(passphraseFile, 'utf8').trim()
      : envString(env, 'POSTEN_SIGNERING_KEYSTORE_PASSPHRASE');
    keystore = { file, passphrase };
  }
  const policy = (envOptional(env, 'POSTEN_SIGNERING_UNOWNED_POLICY') ?? 'HOLD').toUpperCase();
  if (policy !== 'HOLD' && policy !== 'ADOPT') {
    throw new ConfigError('POSTEN_SIGNERING_UNOWNED_POLICY must be HOLD or ADOPT');
  }
  const serverOrganizationNumber = envString(
    env,
    'POSTEN_SIGNERING_SERVER_ORGANIZATION_NUMBER',
    POSTEN_ORGANIZATION_NUMBER,
  );
  if (!/^[0-9]{9}$/.test(serverOrganizationNumber)) {
    throw new ConfigError('POSTEN_SIGNERING_SERVER_ORGANIZATION_NUMBER must be 9 digits');
  }
  return {
    baseUrl,
    keystore,
    trustedRootsFile: envOptional(env, 'POSTEN_SIGNERING_TRUSTED_ROOTS_FILE'),
    serverOrganizationNumber,
    maxRequestsPerSecond: envInt(env, 'POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND', 8, { min: 1, max: 1000 }),
    apiTimeoutMs: envInt(env, 'POSTEN_SIGNERING_API_TIMEOUT_MS', 10_000, { min: 100 }),
    downloadTimeoutMs: envInt(env, 'POSTEN_SIGNERING_DOWNLOAD_TIMEOUT_MS', 60_000, { min: 100 }),
    pollers: envList(env, 'POSTEN_SIGNERING_POLLERS', []).map(parsePollerTarget),
    unownedPolicy: policy,
    taskQueue: envString(env, 'POSTEN_SIGNERING_TASK_QUEUE', taskQueues.postenSignering),
  };
}

/** `123456789` (default queue) or `123456789:queue-name`. */
export function parsePollerTarget(raw: string): PollerTarget {
  const [sender, pollingQueue] = raw.split(':', 2);
  if (!/^[0-9]{9}$/.test(sender)) throw new ConfigError(`POSTEN_SIGNERING_POLLERS: "${raw}" must start with 9 digits`);
  return pollingQueue ? { sender, pollingQueue } : { sender };
}
