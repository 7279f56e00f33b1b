import type { Ss12000Config } from '../../../modules/ss12000/config';
import { isPostgresUrl } from './location';
import type { Ss12000Store } from './store';

/** Where the configured store is: the shared Postgres when `FERJE_SS12000_STORE` is set, else the embedded file. */
export function configuredStoreLocation(config: Pick<Ss12000Config, 'storePath' | 'storeUrl'>): string {
  return config.storeUrl ?? config.storePath;
}

/**
 * Opens the store at a location: Postgres for a postgres:// URL, else the embedded SQLite file. Each store's library
 * loads on first open (SQLite as WASM is ~16 MB), so a worker loads only the one it uses, and only once it syncs.
 */
export async function openSs12000Store(location: string, options: { readOnly?: boolean } = {}): Promise<Ss12000Store> {
  return isPostgresUrl(location)
    ? (await import('./postgres-store.js')).PostgresStore.open(location, options)
    : (await import('./sqlite-store.js')).SqliteStore.open(location, options);
}
