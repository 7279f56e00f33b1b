import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { sendListPage } from '../../../src/simulators/ss12000/list-response';

/** The simulator's streamed list page must be the very bytes `JSON.stringify` gives, and let other requests in. */
describe('SS12000 simulator list page, written a slice at a time', () => {
  async function serve(body: { data: unknown[] } & Record<string, unknown>, handled: string[] = []) {
    const server = createServer((req, res) => {
      if (req.url === '/page') void sendListPage(res, body).then(() => handled.push('page written'));
      else res.end('pong', () => handled.push('ping answered'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  const pages: [string, { data: unknown[] } & Record<string, unknown>][] = [
    ['an empty page', { data: [] }],
    [
      'a page and its token',
      { data: Array.from({ length: 601 }, (_, i) => ({ id: `e${i}`, n: i, å: 'ö' })), pageToken: 't' },
    ],
    ['a last page with more fields', { data: [{ id: 'x' }], pageToken: null, total: 1 }],
  ];
  for (const [name, body] of pages) {
    it(`is byte for byte JSON.stringify of ${name}`, async () => {
      const { server, base } = await serve(body);
      try {
        const res = await fetch(`${base}/page`);
        assert.equal(res.headers.get('content-type'), 'application/json');
        assert.equal(await res.text(), JSON.stringify(body));
      } finally {
        server.close();
      }
    });
  }

  it('answers another request while a large page is being written', async () => {
    const handled: string[] = [];
    const entities = Array.from({ length: 20_000 }, (_, i) => ({ id: `e${i}`, pad: 'x'.repeat(200) }));
    const { server, base } = await serve({ data: entities }, handled);
    try {
      const page = fetch(`${base}/page`).then((r) => r.arrayBuffer());
      // Sent once the page has begun (its first slice is on the wire), long before its last can be.
      await new Promise((resolve) => setTimeout(resolve, 2));
      await Promise.all([page, fetch(`${base}/ping`).then((r) => r.text())]);
      assert.deepEqual(handled, ['ping answered', 'page written']);
    } finally {
      server.close();
    }
  });
});
