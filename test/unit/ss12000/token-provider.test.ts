import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../../src/config/env';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import { loadSs12000Config, skolverketClientEntityId } from '../../../src/modules/ss12000/config';
import { Ss12000TokenError } from '../../../src/integrations/ss12000/errors';
import { FetchedTokenProvider } from '../../../src/integrations/ss12000/token-provider';
import { Ss12000Simulator } from '../../../src/simulators/ss12000/server';
import { createLoopbackPki, type LoopbackPki } from './loopback-pki';

interface TokenRequest {
  clientCertificateCn?: string;
  body: {
    access_token?: { access?: { type?: string; locations?: string[] }[]; flags?: string[] }[];
    client?: { key?: string };
  };
}

/** A nutid-style transaction endpoint over HTTPS that demands a client certificate from the test CA. */
class TokenServer {
  readonly requests: TokenRequest[] = [];
  answer: (n: number) => { status: number; body: string } = (n) => ({
    status: 200,
    body: JSON.stringify({ access_token: { value: `token-${n}`, expires_in: 100 } }),
  });
  private server!: Server;
  url = '';

  async start(pki: LoopbackPki): Promise<void> {
    this.server = createServer(
      {
        key: pki.server.keyPem,
        cert: pki.server.certPem,
        ca: pki.caCertPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          this.requests.push({
            clientCertificateCn: typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as TokenRequest['body'],
          });
          const { status, body } = this.answer(this.requests.length);
          res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        });
      },
    );
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/transaction`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('SS12000 fetched token provider (real HTTPS token server with mutual TLS)', () => {
  const api = 'https://huvudman.example/ss12000/v2';
  let pki: LoopbackPki;
  let dir: string;
  let files: { cert: string; key: string; ca: string; otherCa: string };
  const server = new TokenServer();

  before(async () => {
    pki = createLoopbackPki();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ferje-ss12000-token-'));
    files = {
      cert: path.join(dir, 'client.crt'),
      key: path.join(dir, 'client.key'),
      ca: path.join(dir, 'ca.crt'),
      otherCa: path.join(dir, 'other-ca.crt'),
    };
    writeFileSync(files.cert, pki.client.certPem);
    writeFileSync(files.key, pki.client.keyPem);
    writeFileSync(files.ca, pki.caCertPem);
    writeFileSync(files.otherCa, pki.otherCaCertPem);
    await server.start(pki);
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const provider = (now: () => number = Date.now, overrides: { caFile?: string; mtls?: boolean } = {}) =>
    new FetchedTokenProvider(
      {
        url: server.url,
        clientKey: skolverketClientEntityId,
        ...(overrides.mtls === false ? {} : { certFile: files.cert, keyFile: files.key }),
        caFile: overrides.caFile ?? files.ca,
      },
      5_000,
      now,
    );

  it('asks with the client certificate for a bearer token to one API location, and shares one request', async () => {
    server.requests.length = 0;
    const tokens = provider();
    const burst = await Promise.all(Array.from({ length: 10 }, () => tokens.tokenFor(api)));
    assert.deepEqual(new Set(burst), new Set(['token-1']));
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request.clientCertificateCn, 'ss12000 client');
    assert.deepEqual(request.body, {
      access_token: [{ access: [{ type: 'ss12000-api', locations: [api] }], flags: ['bearer'] }],
      client: { key: skolverketClientEntityId },
    });
  });

  it('reuses a token until 90 % of expires_in, then fetches a new one; each API gets its own', async () => {
    server.requests.length = 0;
    let now = 1_000_000;
    const tokens = provider(() => now);
    const first = await tokens.tokenFor(api);
    now += 89_000; // expires_in is 100 s
    assert.equal(await tokens.tokenFor(api), first);
    now += 2_000;
    const second = await tokens.tokenFor(api);
    assert.notEqual(second, first);
    const other = await tokens.tokenFor('https://other-huvudman.example/v2');
    assert.notEqual(other, second);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(server.requests[2].body.access_token?.[0].access?.[0].locations, [
      'https://other-huvudman.example/v2',
    ]);
  });

  it('assumes an hour when expires_in is missing', async () => {
    server.requests.length = 0;
    server.answer = (n) => ({ status: 200, body: JSON.stringify({ access_token: { value: `hourly-${n}` } }) });
    try {
      let now = 0;
      const tokens = provider(() => now);
      await tokens.tokenFor(api);
      now = 3_200_000;
      await tokens.tokenFor(api);
      assert.equal(server.requests.length, 1);
      now = 3_300_000;
      await tokens.tokenFor(api);
      assert.equal(server.requests.length, 2);
    } finally {
      server.answer = new TokenServer().answer;
    }
  });

  it('fails with a retryable Ss12000TokenError without a client certificate or with the wrong roots', async () => {
    for (const tokens of [provider(Date.now, { mtls: false }), provider(Date.now, { caFile: files.otherCa })]) {
      await assert.rejects(
        tokens.tokenFor(api),
        (e: unknown) => e instanceof Ss12000TokenError && e.retryable && /unreachable/.test(e.message),
      );
    }
  });

  it('turns an error status, a body that is not JSON and an answer without a token into Ss12000TokenError', async () => {
    const cases: [{ status: number; body: string }, RegExp][] = [
      [{ status: 503, body: '{}' }, /HTTP 503/],
      [{ status: 200, body: '<html>' }, /other than JSON/],
      [{ status: 200, body: JSON.stringify({ access_token: { expires_in: 60 } }) }, /no token/],
    ];
    try {
      for (const [answer, message] of cases) {
        server.answer = () => answer;
        await assert.rejects(
          provider().tokenFor(api),
          (e: unknown) => e instanceof Ss12000TokenError && message.test(e.message),
        );
      }
    } finally {
      server.answer = new TokenServer().answer;
    }
  });
});

describe('SS12000 token configuration', () => {
  const base = { FERJE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'ferje-ss12000-config-')) };
  after(() => rmSync(base.FERJE_DATA_DIR, { recursive: true, force: true }));
  const load = (env: Record<string, string | undefined>) =>
    loadSs12000Config({ ...base, ...env }, loadFerjeConfig({ ...base, ...env }));

  it('refuses a client certificate without its key (and the other way round)', () => {
    for (const half of [{ SS12000_TOKEN_CLIENT_CERT_FILE: '/x.crt' }, { SS12000_TOKEN_CLIENT_KEY_FILE: '/x.key' }]) {
      assert.throws(() => load({ SS12000_TOKEN_URL: 'https://nutid.example/transaction', ...half }), ConfigError);
    }
  });

  it('prefers a static token, else a fetched one with its TLS files, else none', () => {
    assert.deepEqual(load({ SS12000_API_TOKEN: 't', SS12000_TOKEN_URL: 'https://n.example/t' }).token, {
      kind: 'static',
      value: 't',
    });
    assert.deepEqual(
      load({
        SS12000_TOKEN_URL: 'https://n.example/t',
        SS12000_TOKEN_CLIENT_CERT_FILE: '/c.crt',
        SS12000_TOKEN_CLIENT_KEY_FILE: '/c.key',
        SS12000_TOKEN_CA_FILE: '/ca.crt',
      }).token,
      {
        kind: 'fetched',
        url: 'https://n.example/t',
        clientKey: skolverketClientEntityId,
        certFile: '/c.crt',
        keyFile: '/c.key',
        caFile: '/ca.crt',
      },
    );
    assert.deepEqual(load({}).token, { kind: 'none' });
  });
});

describe("SS12000 fetched token provider against the simulator's token server", () => {
  let sim: Ss12000Simulator;
  before(async () => {
    sim = await new Ss12000Simulator().start();
  });
  after(() => sim.stop());

  it('gets a JWT whose requested_access names the API it is for', async () => {
    const api = `${sim.url}/hm/any`;
    const token = await new FetchedTokenProvider({
      url: `${sim.url}/transaction`,
      clientKey: skolverketClientEntityId,
    }).tokenFor(api);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
      entity_id?: string;
      requested_access?: { type: string; locations: string[] }[];
    };
    assert.equal(claims.entity_id, skolverketClientEntityId);
    assert.deepEqual(claims.requested_access, [{ type: 'ss12000-api', locations: [api] }]);
  });
});
