import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ss12000StatusCommand } from '../../../src/modules/ss12000/cli';
import { SqliteStore, StoreLockedError } from '../../../src/integrations/ss12000/store/sqlite-store';
import { deletedAt, idA, idB, row, ss12000StoreContract } from '../../harness/ss12000-store-contract';

const contractDirs: string[] = [];
after(() => {
  for (const dir of contractDirs) fs.rmSync(dir, { recursive: true, force: true });
});

ss12000StoreContract('SqliteStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferje-ss12000-store-'));
  contractDirs.push(dir);
  const file = path.join(dir, 'ss12000.db');
  return {
    open: () => SqliteStore.open(file),
    openReader: () => SqliteStore.open(file, { readOnly: true }),
    cliStore: file,
  };
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

  it('lets a reader opened after the writer closed see everything it committed', async () => {
    const writer = await open();
    await writer.upsert('hm', 'Organisation', [row(idA, { schoolUnitCode: '12345678' })]);
    await writer.softDelete('hm', 'Organisation', [idA], deletedAt);
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
