import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../src/codec/aes-gcm-codec';
import { codecAccessFromEnv } from '../../src/codec/auth/codec-auth';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/codec-server';
import { createLogger } from '../../src/logging/logger';
import { testKeyRing } from '../harness/keys';

const MARKER = '13097248022';
const AUDIENCE = 'ferje-codec';

interface TestKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const rsaKey = (kid: string): TestKey => ({
  kid,
  alg: 'RS256',
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
});
const ecKey = (kid: string): TestKey => ({ kid, alg: 'ES256', ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) });

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function jwt(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const head = b64({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header });
  const body = b64(claims);
  const data = Buffer.from(`${head}.${body}`);
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', data, key.privateKey);
  return `${head}.${body}.${signature.toString('base64url')}`;
}

/** A minimal OIDC issuer on loopback: discovery document and JWKS, counting how often the key set is fetched. */
async function startIssuer(keys: TestKey[]): Promise<{ issuer: string; jwksFetches: () => number; server: Server }> {
  let fetches = 0;
  let issuer = '';
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    } else if (req.url === '/keys') {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      const jwks = keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' }));
      res.end(JSON.stringify({ keys: jwks }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, jwksFetches: () => fetches, server };
}

describe('codec server with OIDC access tokens (JWKS over loopback)', () => {
  const rsa = rsaKey('rsa-1');
  const ec = ecKey('ec-1');
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let codecServer: RunningCodecServer;
  let body: unknown;
  const now = (): number => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: issuer.issuer,
    aud: AUDIENCE,
    sub: 'operator-7',
    exp: now() + 300,
    ...extra,
  });

  before(async () => {
    issuer = await startIssuer([rsa, ec]);
    const logger = createLogger('codec', 'ERROR');
    const access = codecAccessFromEnv(
      { FERJE_CODEC_OIDC_ISSUER: issuer.issuer, FERJE_CODEC_OIDC_AUDIENCE: AUDIENCE, TEMPORAL_NAMESPACE: 'ferje' },
      logger,
    );
    assert.ok(access);
    const codec = new AesGcmPayloadCodec(testKeyRing());
    codecServer = await startCodecServer({ codec, access, host: '127.0.0.1', port: 0, corsOrigins: [], logger });
    const [p] = await codec.encode([defaultPayloadConverter.toPayload({ personalIdentificationNumber: MARKER })]);
    body = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p.data ?? []).toString('base64'),
        },
      ],
    };
  });
  after(async () => {
    await codecServer.close();
    issuer.server.close();
  });

  const decode = (token: string, namespace = 'ferje'): Promise<Response> =>
    fetch(`${codecServer.url}/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-namespace': namespace, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('decodes for a valid RS256 or ES256 access token from the issuer', async () => {
    for (const key of [rsa, ec]) {
      const res = await decode(jwt(key, claims()));
      assert.equal(res.status, 200, key.alg);
      const out = (await res.json()) as { payloads: { data: string }[] };
      assert.match(Buffer.from(out.payloads[0].data, 'base64').toString(), new RegExp(MARKER));
    }
    assert.equal((await decode(jwt(rsa, claims({ aud: ['other', AUDIENCE] })))).status, 200, 'audience list');
  });

  it("is ready once the issuer's keys are reachable", async () => {
    const res = await fetch(`${codecServer.url}/health/ready`);
    assert.equal(res.status, 200, JSON.stringify(await res.clone().json()));
  });

  it('answers 403 for a valid token asking for a namespace outside the allow-list', async () => {
    assert.equal((await decode(jwt(rsa, claims()), 'default')).status, 403);
  });

  it('answers 401 for forged, expired, premature, misaddressed and algorithm-swapped tokens', async () => {
    const forger = rsaKey('rsa-1'); // same kid, a key the issuer never published
    const hmacSecret = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const [head, payload] = jwt(rsa, claims()).split('.');
    const cases: Record<string, string> = {
      forged: jwt(forger, claims()),
      tampered: `${head}.${b64({ ...claims(), sub: 'admin' })}.${jwt(rsa, claims()).split('.')[2]}`,
      expired: jwt(rsa, claims({ exp: now() - 3600 })),
      'not yet valid': jwt(rsa, claims({ nbf: now() + 3600 })),
      'no expiry': jwt(rsa, { iss: issuer.issuer, aud: AUDIENCE }),
      'wrong audience': jwt(rsa, claims({ aud: 'temporal-ui' })),
      'wrong issuer': jwt(rsa, claims({ iss: 'https://evil.example' })),
      'unknown kid': jwt(rsaKey('rsa-9'), claims()),
      'alg none': `${b64({ alg: 'none', kid: 'rsa-1' })}.${payload}.`,
      // The classic confusion: HMAC keyed with the issuer's public key.
      'HS256 with the public key': (() => {
        const h = b64({ alg: 'HS256', kid: 'rsa-1' });
        const mac = createHmac('sha256', hmacSecret).update(`${h}.${payload}`).digest('base64url');
        return `${h}.${payload}.${mac}`;
      })(),
      'ES256 header on an RSA key': jwt({ ...ec, kid: 'rsa-1' }, claims()),
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await decode(token);
      assert.equal(res.status, 401, name);
      assert.doesNotMatch(await res.text(), new RegExp(MARKER), name);
    }
  });

  it('does not refetch the key set for every unknown kid', async () => {
    const before = issuer.jwksFetches();
    for (let i = 0; i < 5; i++) assert.equal((await decode(jwt(rsaKey(`flood-${i}`), claims()))).status, 401);
    assert.ok(issuer.jwksFetches() - before <= 1, `fetched ${issuer.jwksFetches() - before} times`);
  });
});
