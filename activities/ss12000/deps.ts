import { Ss12000ApiClient } from '../../src/integrations/ss12000/api-client';
import { configuredStoreLocation, openSs12000Store } from '../../src/integrations/ss12000/store/open-store';
import type { Ss12000Store } from '../../src/integrations/ss12000/store/store';
import { createTokenProvider } from '../../src/integrations/ss12000/token-provider';
import type { Logger } from '../../src/logging/logger';
import { deletedEntitiesStyleFor, type Ss12000Config } from '../../src/modules/ss12000/config';
import { configuredApiBaseUrl } from './endpoints';

/** What every SS12000 activity shares within one worker: configuration, tokens, the store and the logger. */
export interface Ss12000ActivityContext {
  config: Ss12000Config;
  logger: Logger;
  /**
   * The huvudman API client, with the configured token provider, for the configured API of this huvudman (a
   * requested URL other than the configured one is refused before any request: see endpoints.ts).
   */
  client(huvudman: string | undefined, requestedApiBaseUrl: string | undefined): Ss12000ApiClient;
  openStore(): Promise<Ss12000Store>;
}

export function createActivityContext(config: Ss12000Config, logger: Logger, store?: Ss12000Store) {
  const tokens = createTokenProvider(config.token, config.httpTimeoutMs);
  let opened: Promise<Ss12000Store> | undefined;
  const context: Ss12000ActivityContext = {
    config,
    logger,
    client: (huvudman, requested) =>
      new Ss12000ApiClient({
        baseUrl: configuredApiBaseUrl(config.endpoints, huvudman, requested),
        tokens,
        timeoutMs: config.httpTimeoutMs,
        deletedEntitiesStyle: deletedEntitiesStyleFor(config, huvudman),
      }),
    // A store that could not be opened (Postgres not reachable yet) is tried again by the next activity.
    openStore: () =>
      (opened ??= store
        ? Promise.resolve(store)
        : openSs12000Store(configuredStoreLocation(config)).catch((err: unknown) => {
            opened = undefined;
            throw err;
          })),
  };
  return context;
}
