import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { Env } from './env';

export interface TemporalConnectionSettings {
  /** Options for `NativeConnection.connect` (worker) and, minus native-only fields, `Connection.connect` (client). */
  connectionOptions: NativeConnectionOptions;
  namespace: string;
  address: string;
}

/**
 * Connection settings from Temporal's standard environment configuration (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`, `TEMPORAL_CONFIG_FILE`/`TEMPORAL_PROFILE`), so one worker image runs against
 * the dev server, a compose cluster or Temporal Cloud without code changes.
 */
export function loadTemporalConnection(env: Env = process.env): TemporalConnectionSettings {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars });
  const address = connectionOptions.address ?? 'localhost:7233';
  return { connectionOptions: { ...connectionOptions, address }, namespace: namespace ?? 'default', address };
}
