import { ApplicationFailure } from '@temporalio/common';
import type { BlobRef } from '../../src/contract/blob-ref';
import { signstashFailureTypes, type PreparedDocument } from '../../src/contract/signstash';
import { SignstashClient } from '../../src/integrations/signstash/client';
import type { ClientServiceCredentials } from '../../src/integrations/signstash/model';
import { loadSignstashConfig, type SignstashConfig } from '../../src/modules/signstash/config';
import type { IntegrationContext } from '../../src/platform/integration';
import { toApplicationFailure } from './failures';

/**
 * What every Sign'Stash activity shares within one worker process: the configuration and client (created on first
 * use, then kept: one token cache and one connection pool per instance), credentials and the documents' manifest.
 */
export interface SignstashRuntime {
  ctx: IntegrationContext;
  config(): SignstashConfig;
  client(): SignstashClient;
  /** The configured credentials, or a typed non-retryable failure when the client service is not configured. */
  credentialsFor(clientServiceId: string): ClientServiceCredentials;
  readManifest(ref: BlobRef): Promise<PreparedDocument[]>;
}

export function createSignstashRuntime(ctx: IntegrationContext): SignstashRuntime {
  let loaded: { config: SignstashConfig; client: SignstashClient } | undefined;
  const load = (): { config: SignstashConfig; client: SignstashClient } => {
    if (!loaded) {
      const config = loadSignstashConfig(ctx.env);
      loaded = { config, client: new SignstashClient(config) };
    }
    return loaded;
  };
  return {
    ctx,
    config: () => load().config,
    client: () => load().client,
    credentialsFor(clientServiceId) {
      const credentials = load().config.credentials.get(clientServiceId);
      if (!credentials) {
        throw ApplicationFailure.nonRetryable(
          `Client service ${clientServiceId} is not configured in this Ferje deployment`,
          signstashFailureTypes.unknownClientService,
        );
      }
      return credentials;
    },
    async readManifest(ref) {
      const chunks: Buffer[] = [];
      for await (const chunk of await ctx.blobStore.get(ref)) chunks.push(chunk as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as PreparedDocument[];
    },
  };
}

/** Client errors leave every activity as ApplicationFailures with the contract's types (see ./failures). */
export function classified<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  };
}
