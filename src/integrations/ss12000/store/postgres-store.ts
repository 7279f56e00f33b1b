import { Pool, type PoolClient } from 'pg';
import type { SyncStep } from '../../../contract/ss12000';
import { lockClass, migrate } from './postgres-schema';
import type { EntityRow, Ss12000Store, StoreSummaryRow, TypeStateRow } from './store';
import { typeStateParams } from './type-state-params';

/**
 * Postgres behind the SS12000 store interface, for several workers on the SS12000 queue and for other systems
 * that read the synced data (schema `ss12000`, docs/ss12000-postgres.md).
 *
 * Writes for one huvudman stay ordered and idempotent whichever worker runs them:
 * - each write is one transaction that first takes the huvudman's advisory lock, so two workers never interleave
 *   inside one huvudman's page, and a page is stored whole or not at all;
 * - an upsert replaces a stored entity only with one at least as new (`meta.modified`), and resurrects a
 *   soft-deleted one only with a newer version: a retried or stale page can never undo later data or a deletion;
 * - a soft delete marks only what is not yet deleted (the first deletion time stays); the watermark only moves
 *   forward. Every write can thus be repeated (an activity retry) with the same result.
 */
export class PostgresStore implements Ss12000Store {
  private constructor(private readonly pool: Pool) {}

  /**
   * Connects and (unless read-only) brings the schema up to date. Read-only connections refuse every write at the
   * server (`default_transaction_read_only`), which is what the status CLI opens.
   */
  static async open(
    url: string,
    options: { readOnly?: boolean; maxConnections?: number } = {},
  ): Promise<PostgresStore> {
    const pool = new Pool({
      connectionString: url,
      max: options.maxConnections ?? 4,
      application_name: options.readOnly ? 'ferje-ss12000-reader' : 'ferje-ss12000',
      options: options.readOnly ? '-c default_transaction_read_only=on' : undefined,
    });
    // An idle connection that breaks (server restart) is replaced on the next query; without a listener it would
    // crash the worker.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        if (!options.readOnly) await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool);
  }

  /** One transaction holding the huvudman's advisory lock (released at commit or rollback). */
  private async write<T>(huvudman: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [lockClass.huvudman, huvudman]);
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async upsert(huvudman: string, type: string, rows: EntityRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    // The same id twice in one statement is an error in Postgres; the last one wins, as it would one by one.
    const byId = new Map(rows.map((r) => [r.id, r]));
    const unique = [...byId.values()];
    await this.write(huvudman, (client) =>
      client.query(
        `insert into ss12000.entity as e (huvudman, resource_type, id, body, modified, stored_at)
         select $1, $2, u.id, u.body::json, u.modified, now()
         from unnest($3::text[], $4::text[], $5::timestamptz[]) as u(id, body, modified)
         on conflict (huvudman, resource_type, id) do update set
           body = excluded.body, modified = excluded.modified, stored_at = excluded.stored_at, deleted_at = null
         where excluded.modified is null or e.modified is null or excluded.modified > e.modified
            or (excluded.modified = e.modified and e.deleted_at is null)`,
        [huvudman, type, unique.map((r) => r.id), unique.map((r) => r.body), unique.map((r) => timestamp(r.modified))],
      ),
    );
    return rows.length;
  }

  async softDelete(huvudman: string, type: string, ids: string[], at: string): Promise<number> {
    if (ids.length === 0) return 0;
    return this.write(huvudman, async (client) => {
      const result = await client.query(
        `update ss12000.entity set deleted_at = $1
         where huvudman = $2 and resource_type = $3 and id = any($4::text[]) and deleted_at is null`,
        [at, huvudman, type, [...new Set(ids.map((id) => id.toLowerCase()))]],
      );
      return result.rowCount ?? 0;
    });
  }

  async recordTypeStates(huvudman: string, rows: TypeStateRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.write(huvudman, async (client) => {
      for (const row of rows) {
        await client.query(
          `insert into ss12000.type_state as t (huvudman, step, watermark, last_pass, last_kind, last_status,
             last_error, pages, fetched, stored, invalid, deleted, finished_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           on conflict (huvudman, step) do update set
             watermark = greatest(t.watermark, excluded.watermark), last_pass = excluded.last_pass,
             last_kind = excluded.last_kind, last_status = excluded.last_status, last_error = excluded.last_error,
             pages = excluded.pages, fetched = excluded.fetched, stored = excluded.stored,
             invalid = excluded.invalid, deleted = excluded.deleted, finished_at = excluded.finished_at`,
          typeStateParams(huvudman, row, timestamp),
        );
      }
    });
  }

  async summary(huvudman?: string): Promise<StoreSummaryRow[]> {
    const { rows } = await this.pool.query<StatusViewRow>(
      `select * from ss12000.status ${huvudman === undefined ? '' : 'where huvudman = $1'}`,
      huvudman === undefined ? [] : [huvudman],
    );
    return rows.map((r) => {
      const row: StoreSummaryRow = {
        huvudman: r.huvudman,
        step: r.step as SyncStep,
        stored: Number(r.stored),
        softDeleted: Number(r.soft_deleted),
      };
      // Only steps with a recorded state (every recorded state has a pass) carry these, as in the embedded store.
      if (r.last_pass !== null) {
        row.watermark = r.watermark?.toISOString();
        row.lastPass = r.last_pass ?? undefined;
        row.lastKind = r.last_kind ?? undefined;
        row.lastStatus = r.last_status ?? undefined;
        row.lastError = r.last_error ?? undefined;
        row.lastFinishedAt = r.finished_at?.toISOString();
      }
      return row;
    });
  }

  async get(huvudman: string, type: string, id: string): Promise<{ body: unknown; deletedAt?: string } | undefined> {
    const { rows } = await this.pool.query<{ body: unknown; deleted_at: Date | null }>(
      'select body, deleted_at from ss12000.entity where huvudman = $1 and resource_type = $2 and id = $3',
      [huvudman, type, id.toLowerCase()],
    );
    if (rows.length === 0) return undefined;
    return { body: rows[0].body, deletedAt: rows[0].deleted_at?.toISOString() };
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

interface StatusViewRow {
  huvudman: string;
  step: string;
  stored: string;
  soft_deleted: string;
  watermark: Date | null;
  last_pass: number | null;
  last_kind: string | null;
  last_status: string | null;
  last_error: string | null;
  finished_at: Date | null;
}

/** An ISO time as Postgres should compare it, or null when absent or not a time (then it orders nothing). */
function timestamp(iso: string | undefined): string | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
