import type { Client, Connection } from '@temporalio/client';
import { createBlobStore } from '../blobs/from-config';
import { connectFerjeClient } from '../client/connect';
import { loadKeyRing, type KeyRing } from '../codec/key-ring';
import type { Env } from '../config/env';
import { loadFerjeConfig, type FerjeConfig } from '../config/ferje-config';
import { loadTemporalConnection, type TemporalConnectionSettings } from '../config/temporal-connection';
import { createLogger, type Logger } from '../logging/logger';
import type { IntegrationContext } from './integration';

export interface Platform extends IntegrationContext {
  client: Client & { connection: Connection };
  temporal: TemporalConnectionSettings;
  keyRing: KeyRing;
  close(): Promise<void>;
}

/** Loads configuration, keys and a client once per process; the pieces every Ferje process shares. */
export async function createPlatform(
  env: Env = process.env,
  logger: Logger = createLogger('ferje'),
): Promise<Platform> {
  const config: FerjeConfig = loadFerjeConfig(env);
  const temporal = loadTemporalConnection(env);
  const keyRing = loadKeyRing(env, config.dataDir);
  const client = await connectFerjeClient({ env, keyRing });
  return {
    config,
    env,
    temporal,
    keyRing,
    client,
    namespace: temporal.namespace,
    blobStore: createBlobStore(env, config),
    logger,
    close: () => client.connection.close(),
  };
}
