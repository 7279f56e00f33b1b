import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { Client } from 'pg';
import { projectDir } from '../../../src/config/ferje-config';
import { ss12000StatusCommand } from '../../../src/modules/ss12000/cli';
import { lockClass } from '../../../src/integrations/ss12000/store/postgres-schema';
import { PostgresStore } from '../../../src/integrations/ss12000/store/postgres-store';
import type { Ss12000Store } from '../../../src/integrations/ss12000/store/store';
import { startPostgres, type PostgresServer } from '../../harness/postgres';
import { idA, row, ss12000StoreContract } from '../../harness/ss12000-store-contract';

let started: Promise<PostgresServer> | undefined;
const server = (): Promise<PostgresServer> => (started ??= startPostgres());
after(async () => {
  if (started) await (await started).stop();
});

ss12000StoreContract('PostgresStore', async () => {
  const url = await (await server()).createDatabase('ss12000');
  return {
    open: () => PostgresStore.open(url),
    openReader: () => PostgresStore.open(url, { readOnly: true }),
    cliStore: url,
  };
});

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

describe('PostgresStore (shared SS12000 store)', () => {
  const stores: Ss12000Store[] = [];
  const open = async (url: string, options?: { readOnly?: boolean }): Promise<PostgresStore> => {
    const s = await PostgresStore.open(url, options);
    stores.push(s);
    return s;
  };
  after(async () => {
    for (const s of stores) await s.close();
  });

  it('migrates once, however many workers start at the same moment', async () => {
    const url = await (await server()).createDatabase('ss12000');
    await Promise.all([open(url), open(url), open(url)]);
    await open(url); // and again at the next start
    const versions = await query<{ version: number }>(url, 'select version from ss12000.schema_migration');
    assert.deepEqual(
      versions.map((v) => v.version),
      [1],
    );
  });

  it('two workers writing pages of one huvudman in any order end with the newest version of every entity', async () => {
    const url = await (await server()).createDatabase('ss12000');
    const [a, b] = [await open(url), await open(url)];
    const versions = 6;
    const ids = Array.from({ length: 200 }, (_, i) => uuid(i));
    const page = (v: number) =>
      ids.map((id) => row(id, { version: v }, new Date(Date.UTC(2025, 2, 1, v)).toISOString()));
    // Every version once on each worker, all at once: whatever order they commit in, the newest must win.
    await Promise.all(
      Array.from({ length: versions }, (_, v) => [
        a.upsert('hm', 'Person', page(v)),
        b.upsert('hm', 'Person', page(v)),
      ]).flat(),
    );
    const rows = await query<{ version: number; n: string }>(
      url,
      "select (body->>'version')::int as version, count(*) as n from ss12000.entity group by 1",
    );
    assert.deepEqual(rows, [{ version: versions - 1, n: String(ids.length) }]);
  });

  it("serialises one huvudman's writes on its advisory lock, and only that huvudman's", async () => {
    const url = await (await server()).createDatabase('ss12000');
    const s = await open(url);
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1, hashtext($2))', [lockClass.huvudman, 'busy']);
      let busyDone = false;
      const busy = s.upsert('busy', 'Person', [row(idA, { givenName: 'Alva' })]).then(() => (busyDone = true));
      await s.upsert('other', 'Person', [row(idA, { givenName: 'Hugo' })]);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(busyDone, false, 'the write waits for the huvudman lock');
      assert.equal(await s.get('busy', 'Person', idA), undefined);
      await holder.query('select pg_advisory_unlock($1, hashtext($2))', [lockClass.huvudman, 'busy']);
      await busy;
      assert.deepEqual((await s.get('busy', 'Person', idA))?.body, { id: idA, givenName: 'Alva' });
    } finally {
      await holder.end();
    }
  });

  it('stores a page whole or not at all', async () => {
    const url = await (await server()).createDatabase('ss12000');
    const s = await open(url);
    const broken = [row(uuid(1), { n: 1 }), { id: uuid(2), body: '{"not json', modified: undefined }];
    await assert.rejects(s.upsert('hm', 'Person', broken));
    assert.deepEqual(await s.summary('hm'), []);
  });

  it('read-only stores refuse writes at the server', async () => {
    const url = await (await server()).createDatabase('ss12000');
    await open(url);
    const reader = await open(url, { readOnly: true });
    await assert.rejects(reader.upsert('hm', 'Person', [row(idA, {})]), /read-only transaction/);
  });

  it('the documented read-only role can read every table and the status view, and write nothing', async () => {
    const pg = await server();
    const url = await pg.createDatabase('ss12000');
    const s = await open(url);
    await s.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' })]);
    const doc = readFileSync(path.join(projectDir, 'docs', 'ss12000-postgres.md'), 'utf8');
    const roleSql = /## A read-only role[\s\S]*?```sql\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(roleSql, 'the doc has the role as SQL');
    await query(url, roleSql);
    const readerUrl = url.replace('postgres@', 'ss12000_reader:change-me@');
    const people = await query<{ given: string }>(readerUrl, "select body->>'givenName' as given from ss12000.entity");
    assert.deepEqual(people, [{ given: 'Alva' }]);
    const status = await query<{ stored: string }>(readerUrl, 'select stored from ss12000.status');
    assert.deepEqual(status, [{ stored: '1' }]);
    await assert.rejects(
      query(readerUrl, "update ss12000.entity set deleted_at = now() where huvudman = 'hm'"),
      /permission denied/,
    );
  });

  it('status CLI: says so when the database has no SS12000 data yet, and never prints the password', async () => {
    const url = (await (await server()).createDatabase('ss12000')).replace('postgres@', 'postgres:s3cret@');
    const errors = mock.method(console, 'error', () => undefined);
    try {
      assert.equal(await ss12000StatusCommand.run(['--store', url]), 1);
      const printed = String(errors.mock.calls[0]?.arguments[0]);
      assert.match(printed, /No SS12000 data in postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(printed, /s3cret/);
    } finally {
      errors.mock.restore();
    }
  });
});
