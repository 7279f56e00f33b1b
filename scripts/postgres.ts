import path from 'node:path';
import { ensureDebianPackage } from './debian-packages';

/** Postgres 15 from Debian: the SS12000 store's tests and bench run a throwaway server from these binaries. */
export function postgresBinDir(): string {
  return process.env.FERJE_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
}

export function ensurePostgres(): string {
  const bin = postgresBinDir();
  ensureDebianPackage('postgresql-15', path.join(bin, 'initdb'), 'the SS12000 Postgres store tests');
  return bin;
}
