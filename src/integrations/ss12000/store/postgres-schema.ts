import type { PoolClient } from 'pg';

/** Schema that holds the SS12000 data; other systems read it (docs/ss12000-postgres.md is its documentation). */
export const ss12000Schema = 'ss12000';

/** Advisory lock classes (first key of the two-key form): one for migrations, one per huvudman for writes. */
export const lockClass = { migration: 12000, huvudman: 12001 } as const;

interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Versioned, append-only: a released migration is never edited, a change is a new version. Each runs in the
 * transaction that records it, so a store is always at exactly one version.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    description: 'entities, type states and the status view',
    sql: `
create table ss12000.entity (
  huvudman text not null,
  resource_type text not null,
  id text not null,
  body json not null,
  modified timestamptz,
  stored_at timestamptz not null,
  deleted_at timestamptz,
  primary key (huvudman, resource_type, id)
);
comment on table ss12000.entity is
  'One SS12000 entity per huvudman, resource type and id: body is the JSON exactly as fetched (validated, never rewritten); deleted_at set = soft-deleted (kept for audit).';
comment on column ss12000.entity.modified is 'meta.modified of the stored version (older versions never overwrite newer ones)';

create table ss12000.type_state (
  huvudman text not null,
  step text not null,
  watermark timestamptz,
  last_pass integer,
  last_kind text,
  last_status text,
  last_error text,
  pages integer,
  fetched integer,
  stored integer,
  invalid integer,
  deleted integer,
  finished_at timestamptz,
  primary key (huvudman, step)
);
comment on table ss12000.type_state is
  'Per huvudman and sync step (a resource type or Deleted): the watermark (never moves back) and the last pass.';

create view ss12000.status as
select coalesce(c.huvudman, t.huvudman) as huvudman,
       coalesce(c.resource_type, t.step) as step,
       coalesce(c.stored, 0) as stored,
       coalesce(c.soft_deleted, 0) as soft_deleted,
       t.watermark, t.last_pass, t.last_kind, t.last_status, t.last_error, t.finished_at
from (select huvudman, resource_type,
             count(*) filter (where deleted_at is null) as stored,
             count(*) filter (where deleted_at is not null) as soft_deleted
      from ss12000.entity group by huvudman, resource_type) c
full join ss12000.type_state t on t.huvudman = c.huvudman and t.step = c.resource_type;
comment on view ss12000.status is 'What ferje ss12000-status shows: per huvudman and step, counts, watermark, last pass.';
`,
  },
];

/**
 * Brings the schema to the latest version. Workers that start together take turns on an advisory lock, and each
 * skips what another already applied, so this is safe to run at every start.
 */
export async function migrate(client: PoolClient): Promise<number> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1, 0)', [lockClass.migration]);
    await client.query(`create schema if not exists ${ss12000Schema}`);
    await client.query(`create table if not exists ${ss12000Schema}.schema_migration (
      version integer primary key,
      description text not null,
      applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ version: number }>(`select version from ${ss12000Schema}.schema_migration`);
    const applied = new Set(rows.map((r) => r.version));
    let latest = Math.max(0, ...applied);
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query(`insert into ${ss12000Schema}.schema_migration (version, description) values ($1, $2)`, [
        m.version,
        m.description,
      ]);
      latest = Math.max(latest, m.version);
    }
    await client.query('commit');
    return latest;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}
