import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import sqlite from 'node-sqlite3-wasm';
import type { SyncStep } from '../../../contract/ss12000';
import { processExists } from '../../../platform/process-exists';
import type { EntityRow, Ss12000Store, StoreSummaryRow, TypeStateRow } from './store';
import { typeStateParams } from './type-state-params';

const SCHEMA = `
create table if not exists entity (
  huvudman text not null,
  resource_type text not null,
  id text not null,
  body text not null,
  modified text,
  stored_at text not null,
  deleted_at text,
  primary key (huvudman, resource_type, id)
) without rowid;
create table if not exists type_state (
  huvudman text not null,
  step text not null,
  watermark text,
  last_pass integer,
  last_kind text,
  last_status text,
  last_error text,
  pages integer, fetched integer, stored integer, invalid integer, deleted integer,
  finished_at text,
  primary key (huvudman, step)
) without rowid;
`;

// An older version never overwrites a newer one, and a replayed version never undoes a deletion (the same rule as
// the Postgres store; julianday is null for a time it cannot read, which then orders nothing).
const UPSERT = `insert into entity (huvudman, resource_type, id, body, modified, stored_at, deleted_at)
  values (?, ?, ?, ?, ?, ?, null)
  on conflict (huvudman, resource_type, id) do update set
    body = excluded.body, modified = excluded.modified, stored_at = excluded.stored_at, deleted_at = null
  where julianday(excluded.modified) is null or julianday(entity.modified) is null
     or julianday(excluded.modified) > julianday(entity.modified)
     or (julianday(excluded.modified) = julianday(entity.modified) and entity.deleted_at is null)`;

/** SQLite values as text (numbers and strings only come back from these queries). */
function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'bigint'
      ? value.toString()
      : '';
}

function isBusy(err: unknown): boolean {
  return err instanceof Error && /locked|busy/i.test(err.message);
}

/**
 * The store file is locked and stays locked: either a live writer is in a long transaction, or a writer died inside
 * one. The message tells an operator which, and what to do; it names a process id and never any stored data.
 */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly file: string,
    readonly ownerPid: number | undefined,
    readonly ownerAlive: boolean,
  ) {
    super(
      ownerAlive
        ? `the SS12000 store is busy: ${ownerPid !== undefined ? `process ${ownerPid}` : 'another process'} is ` +
            'writing to it; try again in a moment'
        : `the SS12000 store's last writer (process ${ownerPid}) stopped in the ` +
            'middle of a write; the SS12000 worker rolls that write back when it starts, after which the store can be read',
    );
  }
}

/**
 * The embedded default: SQLite (compiled to WebAssembly, `node-sqlite3-wasm`) in one file. Each call is one
 * synchronous transaction, so activities running concurrently in a worker can never interleave inside a page.
 * Other processes (the CLI) are kept out by SQLite's file lock; the WebAssembly build locks with a `.lock`
 * directory, which a killed writer leaves behind, so a writer removes it when the recorded owner process is gone
 * (SQLite then rolls the hot journal back).
 */
export class SqliteStore implements Ss12000Store {
  private readonly db: sqlite.Database;
  private readonly upsertStmt: sqlite.Statement;

  private constructor(
    readonly file: string,
    readOnly: boolean,
  ) {
    this.db = new sqlite.Database(file, { readOnly, fileMustExist: readOnly });
    try {
      if (!readOnly) {
        this.db.exec(SCHEMA);
      }
      this.upsertStmt = this.db.prepare(readOnly ? 'select 1' : UPSERT);
    } catch (err) {
      // `open` retries while another process holds the lock: close each failed handle, or every retry leaks one.
      this.db.close();
      throw err;
    }
  }

  static async open(file: string, options: { readOnly?: boolean } = {}): Promise<SqliteStore> {
    if (!options.readOnly) {
      mkdirSync(path.dirname(file), { recursive: true });
      SqliteStore.clearStaleLock(file);
      writeFileSync(`${file}.owner`, String(process.pid));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return new SqliteStore(file, options.readOnly ?? false);
      } catch (err) {
        if (!isBusy(err)) throw err;
        const owner = SqliteStore.lockOwner(file);
        // A reader cannot recover a dead writer's lock (nor roll its journal back): waiting for it is pointless.
        const deadOwner = owner !== undefined && !owner.alive;
        if (attempt >= 100 || (options.readOnly && deadOwner)) {
          throw new StoreLockedError(file, owner?.pid, owner?.alive ?? true);
        }
        await delay(50);
      }
    }
  }

  /** Who holds the file lock, as far as the `.owner` file tells; undefined when no lock is held. */
  private static lockOwner(file: string): { pid: number | undefined; alive: boolean } | undefined {
    if (!existsSync(`${file}.lock`)) return undefined;
    const pid = SqliteStore.recordedWriter(file);
    // Without an owner file nobody can tell the writer is gone: assume it is alive and keep waiting.
    if (pid === undefined) return { pid: undefined, alive: true };
    return { pid, alive: pid === process.pid || processExists(pid) };
  }

  /** The pid the last writer recorded in `<file>.owner`, if any. */
  private static recordedWriter(file: string): number | undefined {
    const pid = Number(existsSync(`${file}.owner`) ? readFileSync(`${file}.owner`, 'utf8').trim() : NaN);
    return Number.isInteger(pid) ? pid : undefined;
  }

  private static clearStaleLock(file: string): void {
    const lock = `${file}.lock`;
    if (!existsSync(lock)) return;
    const owner = SqliteStore.recordedWriter(file);
    if (owner !== undefined && owner !== process.pid && processExists(owner)) return;
    rmdirSync(lock);
  }

  /** Runs a synchronous unit of work, retrying while another process holds the file lock. */
  private async withRetry<T>(work: () => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return work();
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('rollback');
        if (!isBusy(err) || attempt >= 200) throw err;
        await delay(25);
      }
    }
  }

  private transaction<T>(work: () => T): Promise<T> {
    return this.withRetry(() => {
      this.db.exec('begin immediate');
      const result = work();
      this.db.exec('commit');
      return result;
    });
  }

  async upsert(huvudman: string, type: string, rows: EntityRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const storedAt = new Date().toISOString();
    return this.transaction(() => {
      for (const row of rows) {
        this.upsertStmt.run([huvudman, type, row.id, row.body, row.modified ?? null, storedAt]);
      }
      return rows.length;
    });
  }

  async softDelete(huvudman: string, type: string, ids: string[], at: string): Promise<number> {
    if (ids.length === 0) return 0;
    return this.transaction(() => {
      const stmt = this.db.prepare(
        'update entity set deleted_at = ? where huvudman = ? and resource_type = ? and id = ? and deleted_at is null',
      );
      try {
        let changed = 0;
        for (const id of ids) changed += stmt.run([at, huvudman, type, id.toLowerCase()]).changes;
        return changed;
      } finally {
        stmt.finalize();
      }
    });
  }

  async recordTypeStates(huvudman: string, rows: TypeStateRow[]): Promise<void> {
    await this.transaction(() => {
      for (const row of rows) {
        this.db.run(
          `insert into type_state (huvudman, step, watermark, last_pass, last_kind, last_status, last_error,
             pages, fetched, stored, invalid, deleted, finished_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (huvudman, step) do update set
             watermark = case when type_state.watermark is null
               or julianday(excluded.watermark) > julianday(type_state.watermark) then excluded.watermark
               else type_state.watermark end,
             last_pass = excluded.last_pass,
             last_kind = excluded.last_kind, last_status = excluded.last_status, last_error = excluded.last_error,
             pages = excluded.pages, fetched = excluded.fetched, stored = excluded.stored,
             invalid = excluded.invalid, deleted = excluded.deleted, finished_at = excluded.finished_at`,
          typeStateParams(huvudman, row),
        );
      }
    });
  }

  async summary(huvudman?: string): Promise<StoreSummaryRow[]> {
    return this.withRetry(() => {
      const filter = huvudman === undefined ? '' : 'where huvudman = ?';
      const args = huvudman === undefined ? [] : [huvudman];
      const counts = this.db.all(
        `select huvudman, resource_type as step, sum(deleted_at is null) as stored, sum(deleted_at is not null) as soft_deleted
         from entity ${filter} group by huvudman, resource_type`,
        args,
      );
      const states = this.db.all(`select * from type_state ${filter}`, args);
      const rows = new Map<string, StoreSummaryRow>();
      const key = (h: unknown, s: unknown): string => `${text(h)}\u0000${text(s)}`;
      for (const c of counts) {
        rows.set(key(c.huvudman, c.step), {
          huvudman: text(c.huvudman),
          step: text(c.step) as SyncStep,
          stored: Number(c.stored),
          softDeleted: Number(c.soft_deleted),
        });
      }
      for (const s of states) {
        const k = key(s.huvudman, s.step);
        const row = rows.get(k) ?? {
          huvudman: text(s.huvudman),
          step: text(s.step) as SyncStep,
          stored: 0,
          softDeleted: 0,
        };
        row.watermark = (s.watermark as string | null) ?? undefined;
        row.lastPass = s.last_pass === null ? undefined : Number(s.last_pass);
        row.lastKind = (s.last_kind as string | null) ?? undefined;
        row.lastStatus = (s.last_status as string | null) ?? undefined;
        row.lastError = (s.last_error as string | null) ?? undefined;
        row.lastFinishedAt = (s.finished_at as string | null) ?? undefined;
        rows.set(k, row);
      }
      return [...rows.values()];
    });
  }

  async get(huvudman: string, type: string, id: string): Promise<{ body: unknown; deletedAt?: string } | undefined> {
    return this.withRetry(() => {
      const row = this.db.get(
        'select body, deleted_at from entity where huvudman = ? and resource_type = ? and id = ?',
        [huvudman, type, id.toLowerCase()],
      );
      if (!row) return undefined;
      return {
        body: JSON.parse(text(row.body)) as unknown,
        deletedAt: (row.deleted_at as string | null) ?? undefined,
      };
    });
  }

  async close(): Promise<void> {
    if (!this.db.isOpen) return;
    this.upsertStmt.finalize();
    this.db.close();
  }
}
