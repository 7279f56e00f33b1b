import type { Client } from '@temporalio/client';
import type { Env } from '../config/env';
import type { FerjeConfig } from '../config/ferje-config';
import type { Logger } from '../logging/logger';
import { ApiKeyRegistry } from './api-keys';
import { loadDocumentsApiConfig } from './config';
import { startDocumentsApi, type RunningDocumentsApi } from './server';
import { openDocumentStores } from './stores';

/**
 * Starts the documents API from the environment. `devDefaults` lets the dev stack run it open on loopback when no
 * keys file is configured; everywhere else a keys file is required.
 */
export async function startDocumentsApiFromEnv(
  env: Env,
  config: FerjeConfig,
  client: Client,
  logger: Logger,
  devDefaults = false,
): Promise<RunningDocumentsApi & { open: boolean }> {
  const api = loadDocumentsApiConfig(env, { open: devDefaults });
  let keys: ApiKeyRegistry | undefined;
  if (api.keysFile) {
    keys = new ApiKeyRegistry(api.keysFile, (err) => {
      logger.warn('documents API keys file could not be re-read; the previous keys stay in force', {
        error: err.message,
      });
    });
    await keys.load();
  }
  if (api.open) logger.warn('documents API runs OPEN: no authentication (allowed on loopback for development only)');
  const running = await startDocumentsApi({
    client,
    stores: openDocumentStores(config, env),
    host: api.host,
    port: api.port,
    keys,
    open: api.open,
    maxUploadBytes: api.maxUploadBytes,
    logger,
  });
  return { ...running, open: api.open };
}
