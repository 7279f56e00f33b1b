import type { Ss12000Config } from '../../../modules/ss12000/config';
import { isPostgresUrl } from './location';
import { PostgresStore } from './postgres-store';
import { SqliteStore } from './sqlite-store';
import type { Ss12000Store } from './store';

/** Where the configured store is: the shared Postgres when `FERJE_SS12000_STORE` is set, else the embedded file. */
export function configuredStoreLocation(config: Pick<Ss12000Config, 'storePath' | 'storeUrl'>): string {
  return config.storeUrl ?? config.storePath;
}

/** Opens the store at a location: Postgres for a postgres:// URL, else the embedded SQLite file. */
export function openSs12000Store(location: string, options: { readOnly?: boolean } = {}): Promise<Ss12000Store> {
  return isPostgresUrl(location) ? PostgresStore.open(location, options) : SqliteStore.open(location, options);
}
