import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/codec-server';
import { createLogger } from '../../src/logging/logger';
import { testKeyRing } from '../harness/keys';

const UI = 'http://localhost:8233';

describe('codec server', () => {
  let server: RunningCodecServer;
  const logLines: string[] = [];
  before(async () => {
    server = await startCodecServer({
      codec: new AesGcmPayloadCodec(testKeyRing()),
      host: '127.0.0.1',
      port: 0,
      corsOrigins: [UI],
      logger: createLogger('codec', 'DEBUG', (l) => logLines.push(l)),
    });
  });
  after(() => server.close());

  const post = (op: string, body: unknown, origin = UI): Promise<Response> =>
    fetch(`${server.url}/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'x-namespace': 'default' },
      body: JSON.stringify(body),
    });

  it('encodes and decodes proto-JSON payloads the way the UI sends them', async () => {
    const p = defaultPayloadConverter.toPayload({ personalIdentificationNumber: '13097248022' });
    const json = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p.data ?? []).toString('base64'),
        },
      ],
    };
    const encoded = await post('encode', json);
    assert.equal(encoded.status, 200);
    assert.equal(encoded.headers.get('access-control-allow-origin'), UI);
    const encodedBody = (await encoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(encodedBody.payloads[0].metadata.encoding, 'base64').toString(), 'binary/encrypted');
    const decoded = await post('decode', encodedBody);
    const decodedBody = (await decoded.json()) as typeof json;
    assert.deepEqual(decodedBody, json);
  });

  it('answers CORS preflight only for the configured UI origin', async () => {
    const ok = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-namespace' },
    });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), UI);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const evil = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  it('rejects malformed requests with 400 and unknown paths with 404', async () => {
    assert.equal((await post('decode', { nope: true })).status, 400);
    const bad = await fetch(`${server.url}/decode`, { method: 'POST', body: '{' });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(`${server.url}/other`, { method: 'POST', body: '{}' })).status, 404);
  });

  it('fails decoding with a foreign key without logging payload content', async () => {
    const foreign = {
      payloads: [
        {
          metadata: {
            encoding: Buffer.from('binary/encrypted').toString('base64'),
            'encryption-key-id': Buffer.from('unknown').toString('base64'),
          },
          data: Buffer.alloc(40).toString('base64'),
        },
      ],
    };
    const res = await post('decode', foreign);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /not configured/);
    assert.ok(logLines.some((l) => l.includes('codec request failed')));
  });
});
