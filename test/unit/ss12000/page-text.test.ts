import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ss12000ApiClient } from '../../../src/integrations/ss12000/api-client';
import { Ss12000MalformedResponseError } from '../../../src/integrations/ss12000/errors';
import { PageSyncer } from '../../../src/integrations/ss12000/page-sync';
import { SqliteStore } from '../../../src/integrations/ss12000/store/sqlite-store';
import { StaticTokenProvider } from '../../../src/integrations/ss12000/token-provider';
import { EntityValidator } from '../../../src/integrations/ss12000/validation';
import { createLogger } from '../../../src/logging/logger';
import { Ss12000Simulator } from '../../../src/simulators/ss12000/server';

/**
 * A page's entities are split out of the answer as text and parsed one by one (list-body.ts): what is stored must be
 * exactly what a whole-body parse would have stored, and a break anywhere in the page must still store nothing.
 */
describe('SS12000 page sync from entity texts (real HTTP, real SQLite)', () => {
  let sim: Ss12000Simulator;
  let store: SqliteStore;
  let api: Server;
  let origin: string;
  let answer = '';
  const posted: string[] = [];
  let persons: Record<string, unknown>[] = [];
  before(async () => {
    // Valid persons as the simulator generates them; served here in whatever layout a test needs.
    sim = await new Ss12000Simulator({ requireAuth: false }).start();
    const tenant = sim.addTenant({ name: 'gen', organisationId: 'SE2120000001', seed: 3, size: { persons: 3 } });
    persons = tenant.ids('Person').map((key) => tenant.entity('Person', key) as Record<string, unknown>);
    store = await SqliteStore.open(path.join(mkdtempSync(path.join(tmpdir(), 'ferje-ss12000-text-')), 's.sqlite'));
    api = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST') {
          posted.push(req.url ?? '');
          res.writeHead(201).end();
        } else res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => api.close(resolve));
    await store.close();
    await sim.stop();
  });

  const syncer = (): PageSyncer =>
    new PageSyncer({
      client: new Ss12000ApiClient({ baseUrl: origin, tokens: new StaticTokenProvider(undefined) }),
      validator: new EntityValidator(),
      store,
      reportConcurrency: 2,
      logger: createLogger('test', 'ERROR', () => undefined),
    });

  it('stores every valid entity of a pretty-printed page as the entity it is', async () => {
    answer = JSON.stringify({ data: persons, pageToken: 'next' }, null, 2);
    const counts = await syncer().syncPage({ huvudman: 'pretty', step: 'Person', limit: 10, keptTypes: ['Person'] });
    assert.deepEqual([counts.fetched, counts.stored, counts.invalid], [persons.length, persons.length, 0]);
    assert.equal(counts.nextPageToken, 'next');
    for (const person of persons) {
      const stored = await store.get('pretty', 'Person', String(person.id));
      assert.deepEqual(stored?.body, person);
    }
  });

  it('stores nothing and reports nothing when one entity of the page is broken', async () => {
    const texts = persons.map((p) => JSON.stringify(p));
    texts[texts.length - 1] = texts[texts.length - 1].replace(/}$/, ',}');
    answer = `{"data":[${texts.join(',')}]}`;
    posted.length = 0;
    await assert.rejects(
      syncer().syncPage({ huvudman: 'broken', step: 'Person', limit: 10, keptTypes: ['Person'] }),
      (e: unknown) => e instanceof Ss12000MalformedResponseError && e.retryable,
    );
    assert.deepEqual(await store.summary('broken'), []);
    assert.deepEqual(posted, [], 'no log or statistics entry for a page that was not read');
  });
});
