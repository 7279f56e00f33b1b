import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Ss12000ApiClient } from '../../../src/integrations/ss12000/api-client';
import {
  Ss12000Error,
  Ss12000MalformedResponseError,
  Ss12000RejectedError,
  Ss12000SubscriptionLostError,
  Ss12000UnauthorizedError,
  Ss12000UnavailableError,
} from '../../../src/integrations/ss12000/errors';
import { StaticTokenProvider } from '../../../src/integrations/ss12000/token-provider';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A huvudman API on loopback that answers whatever the test scripts and records every request. */
class ScriptedApi {
  readonly seen: Seen[] = [];
  reply: (req: Seen) => { status: number; body?: string } = () => ({ status: 200, body: '{"data":[]}' });
  private server!: Server;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const text = Buffer.concat(chunks).toString('utf8');
        const seen: Seen = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: text ? (JSON.parse(text) as unknown) : undefined,
        };
        this.seen.push(seen);
        const { status, body } = this.reply(seen);
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('SS12000 huvudman API client (real HTTP over loopback)', () => {
  const api = new ScriptedApi();
  let client: Ss12000ApiClient;
  before(async () => {
    await api.start();
    // A path prefix and a trailing slash, as a huvudman's configured base URL may have.
    client = new Ss12000ApiClient({ baseUrl: `${api.origin}/ss12000/v2/`, tokens: new StaticTokenProvider('jwt-a') });
  });
  after(() => api.stop());
  beforeEach(() => {
    api.seen.length = 0;
    api.reply = () => ({ status: 200, body: '{"data":[]}' });
  });

  it('sends the bearer token, the limit and meta.modified.after on the first page, and only the token after it', async () => {
    api.reply = (req) => ({
      status: 200,
      body: JSON.stringify({ data: [{ id: 'p' }], pageToken: req.query.has('pageToken') ? null : 'opaque/+=' }),
    });
    const first = await client.listPage('Person', { limit: 50, modifiedAfter: '2026-01-01T00:00:00Z' });
    assert.equal(first.nextPageToken, 'opaque/+=');
    const second = await client.listPage('Person', {
      limit: 50,
      modifiedAfter: '2026-01-01T00:00:00Z',
      pageToken: first.nextPageToken,
    });
    assert.equal(second.nextPageToken, undefined);
    assert.deepEqual(
      api.seen.map((s) => [s.method, s.path, Object.fromEntries(s.query)]),
      [
        ['GET', '/ss12000/v2/persons', { limit: '50', 'meta.modified.after': '2026-01-01T00:00:00Z' }],
        ['GET', '/ss12000/v2/persons', { limit: '50', pageToken: 'opaque/+=' }],
      ],
    );
    assert.ok(api.seen.every((s) => s.headers.authorization === 'Bearer jwt-a'));
    assert.equal(second.resourceUrl, `${api.origin}/ss12000/v2/persons?limit=50&pageToken=opaque%2F%2B%3D`);
  });

  it('gives a page’s entities as their exact text when asked for texts', async () => {
    const entities = ['{"id":"p1","givenName":"Åsa"}', '{ "id" : "p2" }'];
    api.reply = () => ({ status: 200, body: `{"pageToken":"n","data":[${entities.join(',')}]}` });
    const page = await client.listPageTexts('Person', { limit: 2 });
    assert.deepEqual(page.entityTexts, entities);
    assert.equal(page.nextPageToken, 'n');
    assert.deepEqual((await client.listPage('Person', { limit: 2 })).entities, [
      { id: 'p1', givenName: 'Åsa' },
      { id: 'p2' },
    ]);
  });

  it('ends a list on a missing, null or empty pageToken', async () => {
    for (const tail of [{}, { pageToken: null }, { pageToken: '' }]) {
      api.reply = () => ({ status: 200, body: JSON.stringify({ data: [], ...tail }) });
      assert.equal((await client.listPage('Group', {})).nextPageToken, undefined, JSON.stringify(tail));
    }
  });

  it('uses each resource type’s path', async () => {
    for (const type of ['Organisation', 'Person', 'Group', 'Duty', 'Activity'] as const) {
      await client.listPage(type, {});
    }
    assert.deepEqual(
      api.seen.map((s) => s.path),
      ['organisations', 'persons', 'groups', 'duties', 'activities'].map((p) => `/ss12000/v2/${p}`),
    );
  });

  it('reads deletedEntities in both spellings, with `after` on the first page only, keeping the types asked for', async () => {
    api.reply = (req) => ({
      status: 200,
      body: JSON.stringify(
        req.query.has('pageToken')
          ? { data: { persons: ['p2'] } }
          : {
              data: { persons: ['p1', 7], activities: ['a1'], activitites: ['a2'], groups: [], duties: ['d1'] },
              pageToken: 'next',
            },
      ),
    });
    const first = await client.deletedEntitiesPage({
      modifiedAfter: '2026-02-01T00:00:00Z',
      entities: ['Person', 'Activity'],
    });
    assert.deepEqual(first, {
      deleted: { Person: ['p1'], Activity: ['a1', 'a2'] },
      nextPageToken: 'next',
      resourceUrl: first.resourceUrl,
    });
    const last = await client.deletedEntitiesPage({ entities: ['Person', 'Activity'], pageToken: 'next' });
    assert.deepEqual(last.deleted, { Person: ['p2'] });
    assert.deepEqual(
      api.seen.map((s) => Object.fromEntries(s.query)),
      // Two types in the default (portable) style: no `entities` filter; the duty deletion is dropped by the client.
      [{ after: '2026-02-01T00:00:00Z' }, { pageToken: 'next' }],
    );
  });

  it('creates, renews and deletes subscriptions with the standard’s bodies', async () => {
    api.reply = (req) =>
      req.method === 'DELETE'
        ? { status: 204 }
        : {
            status: req.method === 'POST' ? 201 : 200,
            body: JSON.stringify({ id: 'sub-1', name: 'ferje', target: 'https://t', expires: '2026-12-01T00:00:00Z' }),
          };
    const created = await client.createSubscription({
      name: 'ferje',
      target: 'https://t',
      resourceTypes: ['Person', 'Group'],
    });
    assert.deepEqual(created, { id: 'sub-1', name: 'ferje', target: 'https://t', expires: '2026-12-01T00:00:00Z' });
    await client.renewSubscription('sub-1');
    await client.deleteSubscription('sub-1');
    assert.deepEqual(
      api.seen.map((s) => [s.method, s.path, s.body]),
      [
        [
          'POST',
          '/ss12000/v2/subscriptions',
          { name: 'ferje', target: 'https://t', resourceTypes: [{ resource: 'Person' }, { resource: 'Group' }] },
        ],
        ['PATCH', '/ss12000/v2/subscriptions/sub-1', undefined],
        ['DELETE', '/ss12000/v2/subscriptions/sub-1', undefined],
      ],
    );
  });

  it('treats a 404 on renewal as a lost subscription and a 404 on delete as already gone', async () => {
    api.reply = () => ({ status: 404, body: '{}' });
    await assert.rejects(client.renewSubscription('gone'), Ss12000SubscriptionLostError);
    await client.deleteSubscription('gone');
    api.reply = () => ({ status: 201, body: JSON.stringify({ name: 'no id' }) });
    await assert.rejects(
      client.createSubscription({ name: 'x', target: 'https://t', resourceTypes: ['Person'] }),
      Ss12000MalformedResponseError,
    );
  });

  it('posts log and statistics entries with the standard’s spelling timeOfOccurance', async () => {
    await client.postLog({
      message: 'invalid',
      severityLevel: 'Error',
      resourceType: 'Person',
      timeOfOccurance: '2026-03-01T00:00:00Z',
    });
    await client.postStatistics({ resourceType: 'Person', newCount: 0, updatedCount: 3, deletedCount: 0 });
    assert.deepEqual(
      api.seen.map((s) => [s.method, s.path, s.body]),
      [
        [
          'POST',
          '/ss12000/v2/log',
          {
            message: 'invalid',
            severityLevel: 'Error',
            resourceType: 'Person',
            timeOfOccurance: '2026-03-01T00:00:00Z',
          },
        ],
        ['POST', '/ss12000/v2/statistics', { resourceType: 'Person', newCount: 0, updatedCount: 3, deletedCount: 0 }],
      ],
    );
  });

  it('classifies answers: 5xx and 429 retryable, 401/403 and other 4xx not, bad bodies retryable', async () => {
    const cases: [{ status: number; body?: string }, new (...a: never[]) => Ss12000Error, boolean][] = [
      [{ status: 500, body: '{}' }, Ss12000UnavailableError, true],
      [{ status: 503 }, Ss12000UnavailableError, true],
      [{ status: 429 }, Ss12000UnavailableError, true],
      [{ status: 401 }, Ss12000UnauthorizedError, false],
      [{ status: 403 }, Ss12000UnauthorizedError, false],
      [{ status: 400, body: '{"error":"bad pageToken"}' }, Ss12000RejectedError, false],
      [{ status: 200, body: '{"data":' }, Ss12000MalformedResponseError, true],
      [{ status: 200, body: '{"items":[]}' }, Ss12000MalformedResponseError, true],
      // Entities are split as text and parsed one by one: a break between them or inside one is still refused.
      [{ status: 200, body: '{"data":[{"id":"a"} {"id":"b"}]}' }, Ss12000MalformedResponseError, true],
      [{ status: 200, body: '{"data":[{"id":"a"},{"id":"b",}]}' }, Ss12000MalformedResponseError, true],
    ];
    for (const [answer, type, retryable] of cases) {
      api.reply = () => answer;
      await assert.rejects(client.listPage('Person', { pageToken: 'secret-token-value' }), (e: unknown) => {
        assert.ok(e instanceof type, `${answer.status} ${answer.body ?? ''} → ${(e as Error).name}`);
        assert.equal(e.retryable, retryable);
        // Messages name the method and path only: never the query (page tokens, filters).
        assert.doesNotMatch(e.message, /secret-token-value/);
        assert.match(e.message, /\/persons/);
        return true;
      });
    }
  });

  it('reports a huvudman that does not answer as unavailable (retryable)', async () => {
    const closed = new ScriptedApi();
    await closed.start();
    const origin = closed.origin;
    await closed.stop();
    const offline = new Ss12000ApiClient({ baseUrl: origin, tokens: new StaticTokenProvider(undefined) });
    await assert.rejects(
      offline.listPage('Person', {}),
      (e: unknown) => e instanceof Ss12000UnavailableError && e.retryable && /no answer/.test(e.message),
    );
  });
});
