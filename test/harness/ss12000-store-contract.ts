import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import type { StepOutcome } from '../../src/contract/ss12000/types';
import { ss12000StatusCommand } from '../../src/modules/ss12000/cli';
import type { Ss12000Store, StoreSummaryRow } from '../../src/integrations/ss12000/store/store';

export const idA = '0b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
export const idB = '1b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
export const deletedAt = '2025-03-02T10:00:00.000Z';

export const row = (id: string, body: Record<string, unknown>, modified?: string) => ({
  id,
  modified,
  body: JSON.stringify({ id, ...body }),
});

export const outcome = (changes: Partial<StepOutcome> = {}): StepOutcome => ({
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

/** One empty store, as a worker and as the status CLI see it. */
export interface Ss12000StoreFixture {
  /** Opens a writer (what a worker uses); may be called again for a second worker on the same store. */
  open(): Promise<Ss12000Store>;
  /** Opens a read-only view (what `ferje ss12000-status` uses). */
  openReader(): Promise<Ss12000Store>;
  /** The `--store` argument that points the status CLI at this store. */
  cliStore: string;
}

/**
 * The behaviour every SS12000 store must have, whatever keeps the rows (the embedded SQLite file, Postgres). Each
 * store's test file calls this with a factory for fresh, empty stores; store-specific checks (file locks, advisory
 * locks, migrations) stay in that file.
 */
export function ss12000StoreContract(name: string, fresh: () => Promise<Ss12000StoreFixture>): void {
  describe(`${name}: SS12000 store contract`, () => {
    const opened: Ss12000Store[] = [];
    let fixture: Ss12000StoreFixture;
    const open = async (): Promise<Ss12000Store> => {
      fixture = await fresh();
      const s = await fixture.open();
      opened.push(s);
      return s;
    };
    const reader = async (): Promise<Ss12000Store> => {
      const s = await fixture.openReader();
      opened.push(s);
      return s;
    };

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('inserts on upsert and replaces the body when the same id is upserted again (one row)', async () => {
      const s = await open();
      assert.equal(await s.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' }, '2025-03-01T08:00:00Z')]), 1);
      assert.deepEqual(await s.get('hm', 'Person', idA), {
        body: { id: idA, givenName: 'Alva' },
        deletedAt: undefined,
      });
      assert.equal(await s.upsert('hm', 'Person', [row(idA, { givenName: 'Elsa' }, '2025-03-01T09:00:00Z')]), 1);
      assert.deepEqual(await s.get('hm', 'Person', idA), {
        body: { id: idA, givenName: 'Elsa' },
        deletedAt: undefined,
      });
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
      const byStep = (rows: StoreSummaryRow[]) => rows.map((r) => `${r.huvudman}/${r.step}=${r.stored}`).sort();
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
        {
          step: 'Person',
          passNumber: 2,
          kind: 'webhook',
          outcome: outcome({ status: 'FAILED', finishedAt: undefined }),
        },
      ]);
      const person = (await s.summary('hm')).find((r) => r.step === 'Person');
      assert.equal(person?.watermark, '2025-03-01T08:00:00.000Z', 'a failed pass does not move the watermark back');
      assert.deepEqual([person?.lastPass, person?.lastKind, person?.lastStatus], [2, 'webhook', 'FAILED']);
    });

    it('lets a read-only store (the status CLI) see what the open writer has committed', async () => {
      const writer = await open();
      await writer.upsert('hm', 'Organisation', [row(idA, { schoolUnitCode: '12345678' })]);
      const r = await reader();
      assert.deepEqual(await r.summary(), [{ huvudman: 'hm', step: 'Organisation', stored: 1, softDeleted: 0 }]);
      await writer.upsert('hm', 'Organisation', [row(idB, { schoolUnitCode: '87654321' })]);
      await writer.softDelete('hm', 'Organisation', [idA], deletedAt);
      assert.deepEqual(await r.summary(), [{ huvudman: 'hm', step: 'Organisation', stored: 1, softDeleted: 1 }]);
      assert.deepEqual(await r.get('hm', 'Organisation', idB), {
        body: { id: idB, schoolUnitCode: '87654321' },
        deletedAt: undefined,
      });
    });

    it('never lets an older version of an entity overwrite a newer one; the same version again changes nothing', async () => {
      const s = await open();
      await s.upsert('hm', 'Person', [row(idA, { givenName: 'Elsa' }, '2025-03-01T09:00:00.000Z')]);
      assert.equal(await s.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' }, '2025-03-01T08:00:00Z')]), 1);
      assert.deepEqual((await s.get('hm', 'Person', idA))?.body, { id: idA, givenName: 'Elsa' }, 'older page ignored');
      await s.upsert('hm', 'Person', [row(idA, { givenName: 'Elsa' }, '2025-03-01T09:00:00Z')]);
      assert.deepEqual((await s.get('hm', 'Person', idA))?.body, { id: idA, givenName: 'Elsa' }, 'replay is a no-op');
      await s.upsert('hm', 'Person', [row(idA, { givenName: 'Greta' }, '2025-03-01T10:00:00.000Z')]);
      assert.deepEqual((await s.get('hm', 'Person', idA))?.body, { id: idA, givenName: 'Greta' }, 'newer wins');
      assert.deepEqual(await s.summary('hm'), [{ huvudman: 'hm', step: 'Person', stored: 1, softDeleted: 0 }]);
    });

    it('does not resurrect a deleted entity from a replayed page, only from a newer version', async () => {
      const s = await open();
      const v1 = row(idA, { dutyRole: 'Lärare' }, '2025-03-01T08:00:00.000Z');
      await s.upsert('hm', 'Duty', [v1]);
      assert.equal(await s.softDelete('hm', 'Duty', [idA], deletedAt), 1);
      await s.upsert('hm', 'Duty', [v1]);
      assert.equal((await s.get('hm', 'Duty', idA))?.deletedAt, deletedAt, 'a retried page keeps the deletion');
      await s.upsert('hm', 'Duty', [row(idA, { dutyRole: 'Rektor' }, '2025-03-05T08:00:00.000Z')]);
      assert.deepEqual(await s.get('hm', 'Duty', idA), { body: { id: idA, dutyRole: 'Rektor' }, deletedAt: undefined });
    });

    it('stores the last of two entries for one id in the same page', async () => {
      const s = await open();
      assert.equal(
        await s.upsert('hm', 'Group', [row(idA, { displayName: '7A' }), row(idA, { displayName: '7B' })]),
        2,
      );
      assert.deepEqual((await s.get('hm', 'Group', idA))?.body, { id: idA, displayName: '7B' });
    });

    it('never moves a watermark back (a late retry of an earlier pass), while the last pass is the last recorded', async () => {
      const s = await open();
      const state = (watermark: string, passNumber: number) => ({
        step: 'Group' as const,
        watermark,
        passNumber,
        kind: 'webhook' as const,
        outcome: outcome({ step: 'Group' }),
      });
      await s.recordTypeStates('hm', [state('2025-03-02T08:00:00.000Z', 2)]);
      await s.recordTypeStates('hm', [state('2025-03-01T08:00:00.000Z', 1)]);
      const group = (await s.summary('hm')).find((r) => r.step === 'Group');
      assert.equal(group?.watermark, '2025-03-02T08:00:00.000Z');
      assert.equal(group?.lastPass, 1);
    });

    it('answers `ferje ss12000-status --store … --json` with the summary', async () => {
      const s = await open();
      await s.upsert('hm', 'Person', [row(idA, { givenName: 'Alva' })]);
      await s.recordTypeStates('hm', [
        { step: 'Person', watermark: '2025-03-01T08:00:00.000Z', passNumber: 1, kind: 'full', outcome: outcome() },
      ]);
      const printed: string[] = [];
      const log = mock.method(console, 'log', (text: string) => void printed.push(text));
      try {
        assert.equal(await ss12000StatusCommand.run(['--store', fixture.cliStore, '--json']), 0);
        assert.equal(await ss12000StatusCommand.run(['--store', fixture.cliStore, '--huvudman', 'hm']), 0);
      } finally {
        log.mock.restore();
      }
      assert.deepEqual(JSON.parse(printed[0]), [
        {
          huvudman: 'hm',
          step: 'Person',
          stored: 1,
          softDeleted: 0,
          watermark: '2025-03-01T08:00:00.000Z',
          lastPass: 1,
          lastKind: 'full',
          lastStatus: 'SUCCEEDED',
          lastFinishedAt: '2025-03-01T08:05:00.000Z',
        },
      ]);
      assert.match(printed[1], /^Huvudman\s+Type\s+Stored/);
      assert.match(printed[1], /hm\s+Person\s+1\s+0\s+2025-03-01T08:00:00.000Z\s+1 \(full\)\s+SUCCEEDED/);
    });
  });
}
