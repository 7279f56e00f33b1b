import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadFerjeConfig } from '../../config/ferje-config';
import type { CliCommand } from '../../cli/command';
import { loadSs12000Config } from './config';
import { displayLocation, isPostgresUrl } from '../../integrations/ss12000/store/location';
import { configuredStoreLocation, openSs12000Store } from '../../integrations/ss12000/store/open-store';
import { StoreLockedError } from '../../integrations/ss12000/store/sqlite-store';
import type { Ss12000Store, StoreSummaryRow } from '../../integrations/ss12000/store/store';
import { ss12000StatusCommandInfo } from './cli-info';

export function formatStatus(rows: StoreSummaryRow[]): string {
  if (rows.length === 0) return 'Nothing synced yet.';
  const header = ['Huvudman', 'Type', 'Stored', 'Deleted', 'Watermark', 'Last pass', 'Outcome', 'Finished', 'Error'];
  const body = rows
    .sort((a, b) => a.huvudman.localeCompare(b.huvudman))
    .map((r) => [
      r.huvudman,
      r.step,
      String(r.stored),
      String(r.softDeleted),
      r.watermark ?? '-',
      r.lastPass === undefined ? '-' : `${r.lastPass} (${r.lastKind ?? '?'})`,
      r.lastStatus ?? '-',
      r.lastFinishedAt ?? '-',
      r.lastError ?? '',
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const ss12000StatusCommand: CliCommand = {
  ...ss12000StatusCommandInfo,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { huvudman: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const location =
      values.store ?? configuredStoreLocation(loadSs12000Config(process.env, loadFerjeConfig(process.env)));
    const shown = displayLocation(location);
    if (!isPostgresUrl(location) && !existsSync(location)) {
      console.error(`No SS12000 store at ${shown} (nothing synced yet, or set SS12000_STORE_PATH / --store).`);
      return 1;
    }
    let store: Ss12000Store;
    try {
      store = await openSs12000Store(location, { readOnly: true });
    } catch (err) {
      if (!(err instanceof StoreLockedError) && !isPostgresError(err)) throw err;
      console.error(`Cannot read ${shown}: ${err.message}.`);
      return 1;
    }
    try {
      const rows = await store.summary(values.huvudman);
      console.log(values.json ? JSON.stringify(rows, null, 2) : formatStatus(rows));
      return 0;
    } catch (err) {
      if (!isPostgresError(err)) throw err;
      console.error(
        err.code === '42P01' || err.code === '3F000'
          ? `No SS12000 data in ${shown} yet (the SS12000 worker creates its schema when it starts).`
          : `Cannot read ${shown}: ${err.message}.`,
      );
      return 1;
    } finally {
      await store.close();
    }
  },
};

/** Errors from the Postgres server or the connection to it (the driver's errors carry a code). */
function isPostgresError(err: unknown): err is Error & { code?: string } {
  return (
    err instanceof Error &&
    (err.name === 'DatabaseError' || /^(E[A-Z]+|[0-9A-Z]{5})$/.test(String((err as { code?: unknown }).code)))
  );
}
