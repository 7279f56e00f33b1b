import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { codecAccessFromEnv } from '../../src/codec/auth/codec-auth';
import { newStaticToken } from '../../src/codec/auth/static-tokens';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/codec-server';
import { createLogger } from '../../src/logging/logger';
import { testKeyRing } from '../harness/keys';

const UI = 'http://localhost:8233';
const MARKER = '13097248022';

/** Counts what reaches the real codec, to prove a refused request decrypts nothing. */
class CountingCodec implements PayloadCodec {
  decoded = 0;
  constructor(private readonly inner: PayloadCodec) {}
  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.inner.encode(payloads);
  }
  decode(payloads: Payload[]): Promise<Payload[]> {
    this.decoded += payloads.length;
    return this.inner.decode(payloads);
  }
}

function toProtoJson(p: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  };
}

describe('codec server', () => {
  let server: RunningCodecServer;
  const logLines: string[] = [];
  const codec = new CountingCodec(new AesGcmPayloadCodec(testKeyRing()));
  const tokenFile = path.join(mkdtempSync(path.join(tmpdir(), 'ferje-codec-tokens-')), 'tokens');
  const operator = newStaticToken('*', 'operator');
  const otherTeam = newStaticToken(['other'], 'other-team');
  before(async () => {
    writeFileSync(tokenFile, `# codec server tokens\n${operator.line}\n${otherTeam.line}\n`);
    const logger = createLogger('codec', 'DEBUG', (l) => logLines.push(l));
    const access = codecAccessFromEnv(
      { FERJE_CODEC_TOKEN_FILE: tokenFile, FERJE_CODEC_NAMESPACES: 'default,other' },
      logger,
    );
    assert.ok(access);
    server = await startCodecServer({ codec, access, host: '127.0.0.1', port: 0, corsOrigins: [UI], logger });
  });
  after(() => server.close());

  const post = (
    op: string,
    body: unknown,
    {
      origin = UI,
      token = operator.token,
      namespace = 'default',
    }: { origin?: string; token?: string | null; namespace?: string } = {},
  ): Promise<Response> =>
    fetch(`${server.url}/${op}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin,
        'x-namespace': namespace,
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });

  const encrypted = async (): Promise<unknown> => {
    const [p] = await codec.encode([defaultPayloadConverter.toPayload({ personalIdentificationNumber: MARKER })]);
    return { payloads: [toProtoJson(p)] };
  };

  it('answers 401 without a credential or with an unknown one, and decrypts nothing', async () => {
    const body = await encrypted();
    const before = codec.decoded;
    for (const token of [null, 'not-a-token', `${operator.token}x`]) {
      const res = await post('decode', body, { token });
      assert.equal(res.status, 401, `token ${String(token)}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.doesNotMatch(await res.text(), new RegExp(MARKER));
    }
    const basic = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}`, 'x-namespace': 'default' },
      body: JSON.stringify(body),
    });
    assert.equal(basic.status, 401);
    assert.equal(codec.decoded, before, 'no payload reached the codec');
    assert.ok(logLines.some((l) => l.includes('codec request refused') && l.includes('"status":401')));
    assert.ok(!logLines.some((l) => l.includes(operator.token.slice(12))), 'tokens never reach the log');
  });

  it("answers 403 for a namespace outside the allow-list or outside the token's own", async () => {
    const body = await encrypted();
    const before = codec.decoded;
    assert.equal((await post('decode', body, { namespace: 'payroll' })).status, 403);
    assert.equal((await post('decode', body, { token: otherTeam.token, namespace: 'default' })).status, 403);
    const noNamespace = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.token}` },
      body: JSON.stringify(body),
    });
    assert.equal(noNamespace.status, 403);
    assert.equal(codec.decoded, before);
    const allowed = await post('decode', body, { token: otherTeam.token, namespace: 'other' });
    assert.equal(allowed.status, 200);
    assert.match(
      Buffer.from(((await allowed.json()) as { payloads: { data: string }[] }).payloads[0].data, 'base64').toString(),
      new RegExp(MARKER),
    );
  });

  it('re-reads the token file: a token added later works, a removed one stops working', async () => {
    const late = newStaticToken(['default'], 'late');
    const body = await encrypted();
    assert.equal((await post('decode', body, { token: late.token })).status, 401);
    appendFileSync(tokenFile, `${late.line}\n`);
    assert.equal((await post('decode', body, { token: late.token })).status, 200);
    writeFileSync(tokenFile, `${operator.line}\n${late.line}\n`);
    assert.equal((await post('decode', body, { token: otherTeam.token, namespace: 'other' })).status, 401);
    // A broken edit keeps the last good tokens instead of locking every operator out.
    writeFileSync(tokenFile, `${operator.line}\nthis is not a token line at all\n`);
    assert.equal((await post('decode', body, { token: late.token })).status, 200);
    assert.ok(logLines.some((l) => l.includes('codec token file unreadable')));
    writeFileSync(tokenFile, `${operator.line}\n${otherTeam.line}\n`);
  });

  it('says on /health/ready what it is missing to admit anyone', async () => {
    const ready = await fetch(`${server.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { authentication: string }).authentication, 'required');
    const logger = createLogger('codec', 'ERROR');
    const missingFile = path.join(path.dirname(tokenFile), 'not-there');
    const access = codecAccessFromEnv({ FERJE_CODEC_TOKEN_FILE: missingFile }, logger);
    assert.ok(access);
    const empty = await startCodecServer({ codec, access, host: '127.0.0.1', port: 0, corsOrigins: [], logger });
    try {
      const res = await fetch(`${empty.url}/health/ready`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { missing: { name: string; reason: string }[] };
      assert.equal(body.missing[0].name, 'credentials');
      assert.match(body.missing[0].reason, /does not exist/);
    } finally {
      await empty.close();
    }
  });

  it('refuses to run open on anything but loopback', async () => {
    await assert.rejects(
      startCodecServer({
        codec,
        access: { kind: 'open-dev-loopback' },
        host: '0.0.0.0',
        port: 0,
        corsOrigins: [],
        logger: createLogger('codec', 'ERROR'),
      }),
      /only on a loopback address/,
    );
    const lines: string[] = [];
    const open = await startCodecServer({
      codec,
      access: { kind: 'open-dev-loopback' },
      host: '127.0.0.1',
      port: 0,
      corsOrigins: [],
      logger: createLogger('codec', 'INFO', (l) => lines.push(l)),
    });
    await open.close();
    assert.ok(
      lines.some((l) => l.includes('runs OPEN')),
      'says so when it starts',
    );
  });

  it('needs a credential source outside the dev stack', () => {
    assert.equal(codecAccessFromEnv({}, createLogger('codec', 'ERROR')), undefined);
    assert.throws(
      () => codecAccessFromEnv({ FERJE_CODEC_OIDC_ISSUER: 'https://idp.example' }, createLogger('codec', 'ERROR')),
      /FERJE_CODEC_OIDC_AUDIENCE is required/,
    );
    assert.throws(
      () =>
        codecAccessFromEnv(
          { FERJE_CODEC_OIDC_ISSUER: 'http://idp.example', FERJE_CODEC_OIDC_AUDIENCE: 'codec' },
          createLogger('codec', 'ERROR'),
        ),
      /must use https/,
    );
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
    const bad = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator.token}`, 'x-namespace': 'default' },
      body: '{',
    });
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
