import type { Client } from '@temporalio/client';
import type { BlobStore } from '../../src/blobs/blob-store';
import { EformidlingClient } from '../../src/integrations/eformidling/client';
import { loadEformidlingConfig, type EformidlingConfig } from '../../src/modules/eformidling/config';
import type { Logger } from '../../src/logging/logger';
import type { IntegrationContext } from '../../src/platform/integration';

export interface EformidlingDeps {
  config: EformidlingConfig;
  ip: EformidlingClient;
  blobStore: BlobStore;
  temporal: Client;
  logger: Logger;
}

/** Built once per worker; configuration is read lazily so a worker without eFormidling settings still starts. */
export function lazyDeps(ctx: IntegrationContext): () => EformidlingDeps {
  let deps: EformidlingDeps | undefined;
  return () => {
    if (!deps) {
      const config = loadEformidlingConfig(ctx.env, ctx.config);
      deps = {
        config,
        ip: new EformidlingClient({
          baseUrl: config.baseUrl,
          username: config.username,
          password: config.password,
          headersTimeoutMs: config.headersTimeoutMs,
        }),
        blobStore: ctx.blobStore,
        temporal: ctx.client,
        logger: ctx.logger.child('eformidling'),
      };
    }
    return deps;
  };
}
