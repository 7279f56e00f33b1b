import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newApiKey } from '../../../src/documents/api-keys';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { getTestEnv } from '../../harness/temporal';
import { startApiRig, storedCount, type ApiRig } from './harness';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('documents API', () => {
  let rig: ApiRig;
  const as = (caller: string): Record<string, string> => ({ authorization: `Bearer ${rig.keys[caller]}` });
  const url = (p = ''): string => `${rig.api.url}/v1/documents${p}`;

  before(async () => {
    rig = await startApiRig((await getTestEnv()).client, 64 * 1024);
  });
  after(async () => {
    await rig.close();
  });

  it('refuses unauthenticated and unknown-key requests with 401 and stores nothing', async () => {
    const content = randomBytes(100);
    let res = await fetch(url(), { method: 'POST', body: content });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
    res = await fetch(url(), { method: 'POST', body: content, headers: { authorization: 'Bearer ferje_nope' } });
    assert.equal(res.status, 401);
    res = await fetch(url(`/${sha(content)}`), {});
    assert.equal(res.status, 401);
    assert.equal(await storedCount(rig.stores), 0);
  });

  it('stores an upload, answers its BlobRef, and streams it back with type, length, ETag and name', async () => {
    const content = randomBytes(5000);
    const res = await fetch(url(), {
      method: 'POST',
      body: content,
      headers: {
        ...as('archive'),
        'content-type': 'application/pdf',
        'x-ferje-file-name': encodeURIComponent('Kontrakt Ærlig.pdf'),
      },
    });
    assert.equal(res.status, 201);
    const ref = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(ref, {
      sha256: sha(content),
      size: 5000,
      mediaType: 'application/pdf',
      fileName: 'Kontrakt Ærlig.pdf',
    });
    const got = await fetch(url(`/${sha(content)}`), { headers: as('archive') });
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/pdf');
    assert.equal(got.headers.get('content-length'), '5000');
    assert.equal(got.headers.get('etag'), `"${sha(content)}"`);
    assert.match(got.headers.get('content-disposition') ?? '', /filename\*=UTF-8''Kontrakt%20%C3%86rlig\.pdf/);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), content);

    const head = await fetch(url(`/${sha(content)}`), { method: 'HEAD', headers: as('archive') });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '5000');
    const missing = await fetch(url(`/${'0'.repeat(64)}`), { method: 'HEAD', headers: as('archive') });
    assert.equal(missing.status, 404);

    assert.ok(
      rig.logLines.every((l) => !l.includes('Kontrakt') && !l.includes('%C3%86')),
      'no log line carries the file name',
    );
  });

  it('serves byte ranges (206) and refuses ranges beyond the end (416)', async () => {
    const content = randomBytes(1000);
    const put = await fetch(url(), { method: 'POST', body: content, headers: as('archive') });
    assert.equal(put.status, 201);
    const part = await fetch(url(`/${sha(content)}`), { headers: { ...as('archive'), range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 100-199/1000');
    assert.equal(part.headers.get('content-length'), '100');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), content.subarray(100, 200));
    const tail = await fetch(url(`/${sha(content)}`), { headers: { ...as('archive'), range: 'bytes=-10' } });
    assert.equal(tail.status, 206);
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), content.subarray(990));
    const beyond = await fetch(url(`/${sha(content)}`), { headers: { ...as('archive'), range: 'bytes=5000-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), 'bytes */1000');
  });

  it("hides another caller's upload (404) and lets each caller read only its own", async () => {
    const content = randomBytes(300);
    await fetch(url(), { method: 'POST', body: content, headers: as('archive') });
    const other = await fetch(url(`/${sha(content)}`), { headers: as('case-system') });
    assert.equal(other.status, 404);
    const otherHead = await fetch(url(`/${sha(content)}`), { method: 'HEAD', headers: as('case-system') });
    assert.equal(otherHead.status, 404);
    assert.equal((await fetch(url(`/${sha(content)}`), { headers: as('archive') })).status, 200);
  });

  it('refuses a wrong expected sha256 (422) and keeps nothing', async () => {
    const before = await storedCount(rig.stores);
    const content = randomBytes(2000);
    const wrong = sha(Buffer.from('something else'));
    const viaHeader = await fetch(url(), {
      method: 'POST',
      body: content,
      headers: { ...as('archive'), 'x-ferje-expected-sha256': wrong },
    });
    assert.equal(viaHeader.status, 422);
    const viaPath = await fetch(url(`/${wrong}`), { method: 'PUT', body: content, headers: as('archive') });
    assert.equal(viaPath.status, 422);
    assert.equal(await storedCount(rig.stores), before);
    assert.equal(await rig.stores.blobs.has({ sha256: sha(content) }), false);
    assert.equal(await rig.stores.blobs.has({ sha256: wrong }), false);
    const right = await fetch(url(`/${sha(content)}`), { method: 'PUT', body: content, headers: as('archive') });
    assert.equal(right.status, 201);
  });

  it('refuses an oversized upload with 413, declared or streamed, and stores nothing', async () => {
    const before = await storedCount(rig.stores);
    const big = randomBytes(64 * 1024 + 1);
    const declared = await fetch(url(), { method: 'POST', body: big, headers: as('archive') });
    assert.equal(declared.status, 413);
    // Chunked: no Content-Length, so the limit is found while streaming.
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 20; i++) yield randomBytes(8192);
    };
    const streamed = await fetch(url(), {
      method: 'POST',
      body: ReadableStream.from(chunks()),
      headers: as('archive'),
      duplex: 'half',
    });
    assert.equal(streamed.status, 413);
    assert.equal(await storedCount(rig.stores), before);
  });

  it('lets a caller read what its own flows stored, and not what other callers’ flows stored', async () => {
    const env = await getTestEnv();
    const content = randomBytes(400);
    const ref = await rig.stores.blobs.put(content, { mediaType: 'application/pdf' });
    const startFor = async (caller: string): Promise<string> => {
      const workflowId = `documents-test/${randomUUID()}`;
      // No worker polls this queue: the flow only needs to exist with its caller recorded.
      await env.client.workflow.start('documentsTestFlow', {
        workflowId,
        taskQueue: `documents-test-${randomUUID()}`,
        typedSearchAttributes: [{ key: searchAttributes.caller, value: caller }],
      });
      return workflowId;
    };
    const archiveFlow = await startFor('archive');
    await rig.stores.ledger.record(ref.sha256, {
      holder: { kind: 'workflow', workflowId: archiveFlow },
      recordedAtMs: Date.now(),
      mediaType: 'application/pdf',
    });
    const mine = await fetch(url(`/${ref.sha256}`), { headers: as('archive') });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('content-type'), 'application/pdf');
    assert.deepEqual(Buffer.from(await mine.arrayBuffer()), content);
    assert.equal((await fetch(url(`/${ref.sha256}`), { headers: as('case-system') })).status, 404);
    await env.client.workflow.getHandle(archiveFlow).terminate('test done');
  });

  it('picks up a rotated keys file without a restart', async () => {
    const next = newApiKey();
    const archiveOld = rig.keys.archive;
    // A different size guarantees the change is seen even within one mtime tick.
    rig.writeKeys({ archive: [next.hash], 'case-system': [], spare: [] });
    const withOld = await fetch(`${rig.api.url}/v1/caller`, { headers: { authorization: `Bearer ${archiveOld}` } });
    assert.equal(withOld.status, 401);
    const withNew = await fetch(`${rig.api.url}/v1/caller`, { headers: { authorization: `Bearer ${next.key}` } });
    assert.equal(withNew.status, 200);
    assert.deepEqual(await withNew.json(), { callerId: 'archive' });
  });
});
