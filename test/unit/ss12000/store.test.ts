import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { StepOutcome } from '../../../src/contract/ss12000';
import { ss12000StatusCommand } from '../../../src/modules/ss12000/cli';
import { SqliteStore, StoreLockedError } from '../../../src/integrations/ss12000/store/sqlite-store';

const idA = '0b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const idB = '1b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const deletedAt = '2025-03-02T10:00:00.000Z';

const row = (id: string, body: Record<string, unknown>, modified?: string) => ({
  id,
  modified,
  body: JSON.stringify({ id, ...body }),
});

const outcome = (changes: Partial<StepOutcome> = {}): StepOutcome => ({
  step: 'Person',
  status: 'SUCCEEDED',
  pages: 2,
  fetched: 150,
  stored: 149,
  invalid: 1,
  deleted: 0,
  finishedAt: '2025-03-01T08:05:00.000Z',
  ...changes,
});

describe('SqliteStore (embedded SS12000 store)', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore | undefined;
  const open = async (): Promise<SqliteStore> => (store = await SqliteStore.open(file));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferje-ss12000-store-'));
    file = path.join(dir, 'ss12000.db');
  });

  afterEach(async () => {
    await store?.close();
    store = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('inserts on upsert and replaces the body when the same id is upserted again (one row)', async () => {
    const s = await open();
    assert.equal(await s.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' }, '2025-03-01T08:00:00Z')]), 1);
    assert.deepEqual(await s.get('hm', 'Person', idA), { body: { id: idA, givenName: 'Alva' }, deletedAt: undefined });
    assert.equal(await s.upsert('hm', 'Person', [row(idA, { givenName: 'Elsa' }, '2025-03-01T09:00:00Z')]), 1);
    assert.deepEqual(await s.get('hm', 'Person', idA), { body: { id: idA, givenName: 'Elsa' }, deletedAt: undefined });
    assert.deepEqual(await s.summary(), [{ huvudman: 'hm', step: 'Person', stored: 1, softDeleted: 0 }]);
    assert.equal(await s.upsert('hm', 'Person', []), 0, 'an empty page writes nothing');
  });

  it('keeps rows per huvudman and type: the same id under two huvudmän is two rows, summary(h) shows only h', async () => {
    const s = await open();
    await s.upsert('a', 'Person', [row(idA, { givenName: 'Alva' }), row(idB, { givenName: 'Nils' })]);
    await s.upsert('b', 'Person', [row(idA, { givenName: 'Hugo' })]);
    await s.upsert('a', 'Group', [row(idA, { displayName: '7A' })]);
    assert.deepEqual(await s.get('a', 'Person', idA), { body: { id: idA, givenName: 'Alva' }, deletedAt: undefined });
    assert.deepEqual(await s.get('b', 'Person', idA), { body: { id: idA, givenName: 'Hugo' }, deletedAt: undefined });
    assert.equal(await s.get('b', 'Person', idB), undefined);
    const byStep = (rows: Awaited<ReturnType<SqliteStore['summary']>>) =>
      rows.map((r) => `${r.huvudman}/${r.step}=${r.stored}`).sort();
    assert.deepEqual(byStep(await s.summary('a')), ['a/Group=1', 'a/Person=2']);
    assert.deepEqual(byStep(await s.summary('b')), ['b/Person=1']);
    assert.deepEqual(byStep(await s.summary()), ['a/Group=1', 'a/Person=2', 'b/Person=1']);
  });

  it('soft-deletes: keeps the body, sets deletedAt, moves the count to softDeleted, returns only newly marked', async () => {
    const s = await open();
    await s.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' }), row(idB, { givenName: 'Nils' })]);
    await s.upsert('other', 'Person', [row(idA, { givenName: 'Hugo' })]);
    const unknown = '2b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    assert.equal(await s.softDelete('hm', 'Person', [idA.toUpperCase(), unknown], deletedAt), 1);
    assert.deepEqual(await s.get('hm', 'Person', idA), { body: { id: idA, givenName: 'Alva' }, deletedAt });
    assert.equal((await s.get('other', 'Person', idA))?.deletedAt, undefined, 'other huvudman untouched');
    assert.deepEqual(await s.summary('hm'), [{ huvudman: 'hm', step: 'Person', stored: 1, softDeleted: 1 }]);
    assert.equal(await s.softDelete('hm', 'Person', [idA], '2025-03-03T10:00:00.000Z'), 0, 'already deleted');
    assert.equal((await s.get('hm', 'Person', idA))?.deletedAt, deletedAt, 'first deletion time is kept');
    assert.equal(await s.softDelete('hm', 'Group', [idB], deletedAt), 0, 'deletions are per type');
    assert.equal(await s.softDelete('hm', 'Person', [], deletedAt), 0);
  });

  it('resurrects a soft-deleted entity when it is upserted again (new body, deletedAt cleared)', async () => {
    const s = await open();
    await s.upsert('hm', 'Duty', [row(idA, { dutyRole: 'Lärare' })]);
    assert.equal(await s.softDelete('hm', 'Duty', [idA], deletedAt), 1);
    await s.upsert('hm', 'Duty', [row(idA, { dutyRole: 'Rektor' })]);
    assert.deepEqual(await s.get('hm', 'Duty', idA), { body: { id: idA, dutyRole: 'Rektor' }, deletedAt: undefined });
    assert.deepEqual(await s.summary('hm'), [{ huvudman: 'hm', step: 'Duty', stored: 1, softDeleted: 0 }]);
    assert.equal(await s.softDelete('hm', 'Duty', [idA], deletedAt), 1, 'can be deleted again');
  });

  it('shows recorded type states in the summary and keeps the watermark when a later pass records none', async () => {
    const s = await open();
    await s.upsert('hm', 'Person', [row(idA, {})]);
    await s.recordTypeStates('hm', [
      { step: 'Person', watermark: '2025-03-01T08:00:00.000Z', passNumber: 1, kind: 'full', outcome: outcome() },
      {
        step: 'Deleted',
        passNumber: 1,
        kind: 'full',
        outcome: outcome({ step: 'Deleted', status: 'FAILED', error: { type: 'HttpError', message: 'HTTP 503' } }),
      },
    ]);
    const summary = await s.summary('hm');
    assert.deepEqual(
      summary.find((r) => r.step === 'Person'),
      {
        huvudman: 'hm',
        step: 'Person',
        stored: 1,
        softDeleted: 0,
        watermark: '2025-03-01T08:00:00.000Z',
        lastPass: 1,
        lastKind: 'full',
        lastStatus: 'SUCCEEDED',
        lastError: undefined,
        lastFinishedAt: '2025-03-01T08:05:00.000Z',
      },
    );
    const deleted = summary.find((r) => r.step === 'Deleted');
    assert.equal(deleted?.stored, 0, 'a step without entities still has a summary row');
    assert.equal(deleted?.watermark, undefined);
    assert.equal(deleted?.lastStatus, 'FAILED');
    assert.equal(deleted?.lastError, 'HttpError: HTTP 503');

    await s.recordTypeStates('hm', [
      { step: 'Person', passNumber: 2, kind: 'webhook', outcome: outcome({ status: 'FAILED', finishedAt: undefined }) },
    ]);
    const person = (await s.summary('hm')).find((r) => r.step === 'Person');
    assert.equal(person?.watermark, '2025-03-01T08:00:00.000Z', 'a failed pass does not move the watermark back');
    assert.deepEqual([person?.lastPass, person?.lastKind, person?.lastStatus], [2, 'webhook', 'FAILED']);
  });

  it('lets a read-only store in the same process (the status CLI) see what the open writer has committed', async () => {
    const writer = await open();
    await writer.upsert('hm', 'Organisation', [row(idA, { schoolUnitCode: '12345678' })]);
    const reader = await SqliteStore.open(file, { readOnly: true });
    try {
      assert.deepEqual(await reader.summary(), [{ huvudman: 'hm', step: 'Organisation', stored: 1, softDeleted: 0 }]);
      await writer.upsert('hm', 'Organisation', [row(idB, { schoolUnitCode: '87654321' })]);
      await writer.softDelete('hm', 'Organisation', [idA], deletedAt);
      assert.deepEqual(await reader.summary(), [{ huvudman: 'hm', step: 'Organisation', stored: 1, softDeleted: 1 }]);
      assert.deepEqual(await reader.get('hm', 'Organisation', idB), {
        body: { id: idB, schoolUnitCode: '87654321' },
        deletedAt: undefined,
      });
    } finally {
      await reader.close();
    }
    await writer.close();
    const afterClose = await SqliteStore.open(file, { readOnly: true });
    try {
      assert.equal((await afterClose.get('hm', 'Organisation', idA))?.deletedAt, deletedAt);
    } finally {
      await afterClose.close();
    }
  });

  it('refuses a read-only open of a store file that does not exist (and does not create it)', async () => {
    await assert.rejects(SqliteStore.open(file, { readOnly: true }));
    assert.equal(fs.existsSync(file), false);
  });

  it('opens despite a stale .lock directory left behind by a writer whose process is gone', async () => {
    const first = await open();
    await first.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' })]);
    await first.close();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    assert.ok(dead !== undefined && dead !== process.pid);
    fs.mkdirSync(`${file}.lock`);
    fs.writeFileSync(`${file}.owner`, String(dead));

    const started = Date.now();
    const s = await open();
    assert.ok(Date.now() - started < 2000, 'open did not wait for the dead owner');
    assert.equal(fs.readFileSync(`${file}.owner`, 'utf8'), String(process.pid), 'the new writer records itself');
    assert.equal(fs.existsSync(`${file}.lock`), false, 'no lock is held between transactions');
    assert.equal(await s.upsert('hm', 'Person', [row(idB, { givenName: 'Nils' })]), 1);
    assert.deepEqual(await s.summary('hm'), [{ huvudman: 'hm', step: 'Person', stored: 2, softDeleted: 0 }]);
  });

  it('respects a .lock held by a live process: open gives up with StoreLockedError (busy) and leaks no file handle', async () => {
    await (await open()).close();
    store = undefined;
    fs.mkdirSync(`${file}.lock`);
    fs.writeFileSync(`${file}.owner`, String(process.ppid));
    const openFiles = (): number => fs.readdirSync('/proc/self/fd').length;
    const before = openFiles();
    await assert.rejects(
      SqliteStore.open(file),
      (e: unknown) => e instanceof StoreLockedError && e.ownerAlive && /busy: process \d+ is writing/.test(e.message),
    );
    assert.ok(fs.existsSync(`${file}.lock`), 'the live owner keeps its lock');
    assert.ok(openFiles() <= before, `open files ${before} -> ${openFiles()}`);
  });
  it('tells the status reader at once that a dead writer holds the lock, and reads again once a writer recovered it', async () => {
    const writer = await open();
    await writer.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' })]);
    await writer.close();
    store = undefined;
    // A worker killed inside a transaction leaves its lock directory and its pid behind.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    fs.mkdirSync(`${file}.lock`);
    fs.writeFileSync(`${file}.owner`, String(dead));

    const started = Date.now();
    await assert.rejects(
      SqliteStore.open(file, { readOnly: true }),
      (e: unknown) =>
        e instanceof StoreLockedError &&
        !e.ownerAlive &&
        e.ownerPid === dead &&
        /stopped in the middle/.test(e.message),
    );
    assert.ok(Date.now() - started < 1000, 'a reader does not wait for a writer that is gone');
    assert.ok(fs.existsSync(`${file}.lock`), 'a reader leaves the lock to the next writer');

    const errors = mock.method(console, 'error', () => undefined);
    try {
      assert.equal(await ss12000StatusCommand.run(['--store', file]), 1);
      assert.match(String(errors.mock.calls[0]?.arguments[0]), /last writer \(process \d+\) stopped/);
    } finally {
      errors.mock.restore();
    }

    await (await open()).close(); // the SS12000 worker starting again
    store = undefined;
    const reader = await SqliteStore.open(file, { readOnly: true });
    try {
      assert.deepEqual(await reader.summary('hm'), [{ huvudman: 'hm', step: 'Person', stored: 1, softDeleted: 0 }]);
    } finally {
      await reader.close();
    }
  });
});
