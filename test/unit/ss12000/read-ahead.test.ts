import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Ss12000ApiClient } from '../../../src/integrations/ss12000/api-client';
import { Ss12000UnavailableError } from '../../../src/integrations/ss12000/errors';
import { PageSyncer, type PageRequest } from '../../../src/integrations/ss12000/page-sync';
import { PageReadAhead, type PageWalk } from '../../../src/integrations/ss12000/read-ahead';
import { SqliteStore } from '../../../src/integrations/ss12000/store/sqlite-store';
import { StaticTokenProvider } from '../../../src/integrations/ss12000/token-provider';
import { EntityValidator } from '../../../src/integrations/ss12000/validation';
import { createLogger } from '../../../src/logging/logger';
import { Ss12000Simulator } from '../../../src/simulators/ss12000/server';

/** A walk of numbered pages `1..last` that records every request it makes. */
function countingWalk(name: string, last: number) {
  const requested: (string | undefined)[] = [];
  const walk: PageWalk<number, { n: number; nextPageToken?: string }> = {
    key: (token) => `${name}:${token}`,
    fetch: async (token) => {
      requested.push(token);
      return token === undefined ? 1 : Number(token);
    },
    read: (n) => ({ n, nextPageToken: n < last ? String(n + 1) : undefined }),
  };
  return { walk, requested };
}

describe('SS12000 read-ahead of the next page', () => {
  describe('over real HTTP to the simulator, into SQLite', () => {
    let sim: Ss12000Simulator;
    let store: SqliteStore;
    before(async () => {
      sim = await new Ss12000Simulator({ requireAuth: false }).start();
      store = await SqliteStore.open(path.join(mkdtempSync(path.join(tmpdir(), 'ferje-ss12000-ahead-')), 's.sqlite'));
    });
    after(async () => {
      await store.close();
      await sim.stop();
    });

    const syncer = (tenant: string, readAhead?: PageReadAhead): PageSyncer =>
      new PageSyncer({
        client: new Ss12000ApiClient({ baseUrl: sim.baseUrl(tenant), tokens: new StaticTokenProvider(undefined) }),
        validator: new EntityValidator(),
        store,
        reportConcurrency: 2,
        logger: createLogger('test', 'ERROR', () => undefined),
        readAhead,
      });

    /** Pages of one step in order, as the pass workflow asks for them. */
    async function walkStep(s: PageSyncer, req: Omit<PageRequest, 'pageToken'>) {
      const pages = [];
      let pageToken: string | undefined;
      do {
        const counts = await s.syncPage({ ...req, pageToken });
        pages.push(counts);
        pageToken = counts.nextPageToken;
      } while (pageToken);
      return pages;
    }

    it('stores the same pages with one GET each, and holds nothing after the last', async () => {
      const size = { persons: 450 };
      const plain = sim.addTenant({ name: 'plain', organisationId: 'SE2120000001', seed: 7, size });
      const ahead = sim.addTenant({ name: 'ahead', organisationId: 'SE2120000001', seed: 7, size });
      const readAhead = new PageReadAhead();
      const req: Omit<PageRequest, 'huvudman' | 'pageToken'> = { step: 'Person', limit: 100, keptTypes: ['Person'] };
      const withoutPages = await walkStep(syncer('plain'), { ...req, huvudman: 'plain' });
      const withPages = await walkStep(syncer('ahead', readAhead), { ...req, huvudman: 'ahead' });

      const counts = (pages: typeof withPages) => pages.map((p) => [p.fetched, p.stored, p.invalid]);
      assert.deepEqual(counts(withPages), counts(withoutPages));
      assert.equal(
        withPages.reduce((n, p) => n + p.stored, 0),
        450 - withPages.reduce((n, p) => n + p.invalid, 0),
      );
      const gets = (t: typeof plain) => t.requests.filter((r) => r.method === 'GET').map((r) => r.page);
      assert.deepEqual(gets(ahead), gets(plain), 'the same GETs, each page once');
      assert.equal(gets(ahead).length, withPages.length);
      assert.equal(readAhead.held, 0);
      const rows = async (huvudman: string) =>
        (await store.summary(huvudman)).map((r) => [r.step, r.stored, r.softDeleted]);
      assert.deepEqual(await rows('ahead'), await rows('plain'));
    });

    it('a failed GET fetched ahead is the next page’s first attempt: three GETs in all, never four', async () => {
      const tenant = sim.addTenant({ name: 'flaky', organisationId: 'SE2120000001', seed: 8, size: { persons: 450 } });
      tenant.faults = [{ path: '/persons', page: 3, kind: '503', times: 2, fired: 0 }];
      const s = syncer('flaky', new PageReadAhead());
      const req: PageRequest = { huvudman: 'flaky', step: 'Person', limit: 100, keptTypes: ['Person'] };
      const page1 = await s.syncPage(req);
      const page2 = await s.syncPage({ ...req, pageToken: page1.nextPageToken });
      // Page 3 was requested while page 2 was stored; its 503 is the first attempt's answer.
      for (let attempt = 1; attempt <= 2; attempt++) {
        await assert.rejects(
          s.syncPage({ ...req, pageToken: page2.nextPageToken }),
          (e: unknown) => e instanceof Ss12000UnavailableError && e.retryable,
          `attempt ${attempt}`,
        );
      }
      const page3 = await s.syncPage({ ...req, pageToken: page2.nextPageToken });
      assert.equal(page3.stored + page3.invalid, 100);
      const statuses = tenant.requests.filter((r) => r.page === 3).map((r) => r.status);
      assert.deepEqual(statuses, [503, 503, 200]);
    });
  });

  it('gives an answer only to the request it was fetched for, and drops it after its time', async () => {
    const readAhead = new PageReadAhead({ maxPages: 4, ttlMs: 50 });
    const { walk, requested } = countingWalk('a', 5);
    const first = await readAhead.page(walk, undefined);
    assert.equal(readAhead.held, 1, 'page 2 is on its way');
    // Another walk (another limit, huvudman or filter has another key) asking for "page 2" does not get it.
    const other = countingWalk('b', 5);
    await readAhead.page(other.walk, first.nextPageToken);
    assert.deepEqual(other.requested, ['2', '3'], 'its own page 2, and its own page 3 ahead');
    await sleep(120);
    assert.equal(readAhead.held, 0, 'unclaimed answers are dropped');
    await readAhead.page(walk, first.nextPageToken);
    assert.deepEqual(requested, [undefined, '2', '2', '3'], 'after the drop, page 2 is fetched again');
  });

  it('holds at most maxPages answers, the oldest given up first', async () => {
    const readAhead = new PageReadAhead({ maxPages: 2, ttlMs: 10_000 });
    const walks = ['a', 'b', 'c'].map((name) => countingWalk(name, 3));
    for (const { walk } of walks) await readAhead.page(walk, undefined);
    assert.equal(readAhead.held, 2);
    const [a, b, c] = walks;
    await readAhead.page(b.walk, '2');
    await readAhead.page(a.walk, '2');
    assert.deepEqual(
      walks.map((w) => w.requested),
      [
        [undefined, '2', '2', '3'],
        [undefined, '2', '3'],
        [undefined, '2'],
      ],
      "a's page 2 was given up for c's, so a asked again; b's was taken",
    );
    assert.equal(readAhead.held, 2, "b's and a's page 3; c's page 2 was given up for a's");
    await readAhead.page(a.walk, '3');
    await readAhead.page(b.walk, '3');
    assert.deepEqual([a.requested.length, b.requested.length, c.requested.length], [4, 3, 2], 'nothing after the last');
    assert.equal(readAhead.held, 0);
  });
});
