import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { closeServer, listen } from '../../../src/http/server-utils';
import { EformidlingClient } from '../../../src/integrations/eformidling/client';
import { PeekFilterRefusedError } from '../../../src/integrations/eformidling/errors';
import { buildSbd } from '../../../src/integrations/eformidling/sbd';
import {
  startEformidlingSimulator,
  type RunningEformidlingSimulator,
} from '../../../src/simulators/eformidling/server';
import type { SimSettings } from '../../../src/simulators/eformidling/state';
import { digitalBusinessMessage } from '../../workflows/eformidling/harness';

const ADMIN = 'urn:no:difi:profile:arkivmelding:administrasjon:ver1.0';
const VEDTAK = 'urn:no:difi:profile:digitalpost:vedtak:ver1.0';
const PERSON = '01017012345';
const XML = `<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding"><referanseDokumentfil>a.pdf</referanseDokumentfil></arkivmelding>`;

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

/**
 * The simulator's rules taken from the integrasjonspunkt's source (docs/eformidling.md, "Simulator rules and their
 * sources"), checked on the wire: the send that is not idempotent, the synchronous subscription ping, the upload
 * validators, the error body, the peek filter and the binary transport limits.
 */
describe('eFormidling simulator: rules from the IP source', () => {
  let sim: RunningEformidlingSimulator;
  let refusing: Server;
  let refusingUrl: string;
  before(async () => {
    sim = await startEformidlingSimulator({
      dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-eformidling-rules-')),
      persistState: false,
      settings: { stepDelayMs: 30 },
    });
    refusing = createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-length': 0 });
      res.end();
    });
    refusingUrl = `http://127.0.0.1:${await listen(refusing, '127.0.0.1', 0)}`;
  });
  after(async () => {
    await closeServer(refusing);
    await sim.stop();
  });

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    p: string,
    options: { json?: unknown; body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const res = await request(`${sim.url}${p}`, {
      method,
      headers: {
        ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const settings = (s: Partial<SimSettings>) => call('PUT', '/_control/settings', { json: s });
  const put = (messageId: string, fileName: string, content: Buffer | string, name?: string) =>
    call('PUT', `/api/messages/out/${messageId}`, {
      body: Buffer.from(content),
      headers: {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; ${name !== undefined ? `name="${name}"; ` : ''}filename="${fileName}"`,
      },
    });
  const statusesOf = async (messageId: string): Promise<string[]> =>
    ((await call('GET', `/api/statuses/${messageId}?size=100`)).body?.content as { status: string }[]).map(
      (s) => s.status,
    );
  const handovers = () => sim.state.stats.handovers;

  const createArkivmelding = async (): Promise<string> => {
    const messageId = randomUUID();
    const sbd = buildSbd({
      messageId,
      conversationId: messageId,
      receiver: { kind: 'organisation', organisationNumber: '920000002' },
      process: ADMIN,
      documentType: 'arkivmelding',
      businessMessage: { hoveddokument: 'a.pdf' },
    });
    assert.equal((await call('POST', '/api/messages/out', { json: sbd })).status, 200);
    assert.equal((await put(messageId, 'arkivmelding.xml', XML, 'Arkivmelding')).status, 200);
    assert.equal((await put(messageId, 'a.pdf', 'pdf', 'Vedtak')).status, 200);
    return messageId;
  };

  const digitalSbd = (messageId: string, business: Record<string, unknown>) =>
    buildSbd({
      messageId,
      conversationId: messageId,
      receiver: { kind: 'person', personalIdentificationNumber: PERSON },
      process: VEDTAK,
      documentType: 'digital',
      businessMessage: { ...digitalBusinessMessage, ...business },
    });

  it('a second send of a message still in the outbox is delivered a second time (deliver-again)', async () => {
    await settings({ transportStartDelayMs: 300, duplicateSend: 'deliver-again' });
    const id = await createArkivmelding();
    assert.equal((await call('POST', `/api/messages/out/${id}`)).status, 200);
    assert.equal((await call('POST', `/api/messages/out/${id}`)).status, 200, 'the IP enqueues it again');
    await sleep(800);
    assert.equal(handovers()[id], 2, 'handed to transport twice');
    assert.equal((await statusesOf(id)).filter((s) => s === 'SENDT').length, 2);
    assert.equal((await call('POST', `/api/messages/out/${id}`)).status, 404, 'gone from the outbox after SENDT');
  });

  it('with fail-in-transport the copy ends as FEIL from the dead-letter queue, after LEVERT', async () => {
    await settings({ transportStartDelayMs: 300, duplicateSend: 'fail-in-transport' });
    const id = await createArkivmelding();
    await call('POST', `/api/messages/out/${id}`);
    await call('POST', `/api/messages/out/${id}`);
    await sleep(900);
    const statuses = await statusesOf(id);
    assert.deepEqual(statuses, ['OPPRETTET', 'SENDT', 'MOTTATT', 'LEVERT', 'FEIL']);
    assert.equal(handovers()[id], 1);
    await settings({ transportStartDelayMs: 0, duplicateSend: 'deliver-again' });
  });

  it('subscription create pings synchronously: a 4xx answer fails it with 400 WebhookPushEndpointPingFailedException', async () => {
    const refused = await call('POST', '/api/subscriptions', {
      json: { name: 'ferje', pushEndpoint: `${refusingUrl}/hook`, resource: 'messages', event: 'status' },
    });
    assert.equal(refused.status, 400);
    assert.equal(
      refused.body?.exception,
      'no.difi.meldingsutveksling.exceptions.WebhookPushEndpointPingFailedException',
    );
    assert.match(String(refused.body?.message), /^Ping failed with: 404/);
    const list = await call('GET', '/api/subscriptions');
    assert.equal(list.body?.totalElements, 0, 'nothing saved');
    // A connection error is only logged by the IP (ResourceAccessException): the subscription is saved.
    const closedPort = `http://127.0.0.1:${(await listenAndClose()).toString()}/hook`;
    const saved = await call('POST', '/api/subscriptions', {
      json: { name: 'ferje', pushEndpoint: closedPort, resource: 'messages', event: 'status' },
    });
    assert.equal(saved.status, 200);
    const id = (saved.body as { id: number }).id;
    const update = await call('PUT', `/api/subscriptions/${id}`, { json: { pushEndpoint: `${refusingUrl}/other` } });
    assert.equal(update.status, 400, 'a changed endpoint is pinged again');
    await call('DELETE', '/api/subscriptions');
  });

  it('DPI files need a title unless primary or metadata; metadataFiler files must exist (404 FileNotFoundException)', async () => {
    const id = randomUUID();
    const sbd = digitalSbd(id, { metadataFiler: { 'brev.pdf': 'brev.xml', 'vedlegg.pdf': 'vedlegg.xml' } });
    assert.equal((await call('POST', '/api/messages/out', { json: sbd })).status, 200);
    assert.equal((await put(id, 'brev.pdf', 'pdf')).status, 200, 'the primary document needs no title');
    assert.equal((await put(id, 'brev.xml', '<x/>')).status, 200, 'a metadata file needs no title');
    const untitled = await put(id, 'vedlegg.pdf', 'pdf');
    assert.equal(untitled.status, 400);
    assert.equal(untitled.body?.exception, 'no.difi.meldingsutveksling.exceptions.MissingFileTitleException');
    assert.equal(untitled.body?.message, 'Title is required for the following capabilities: DPI');
    assert.equal((await put(id, 'vedlegg.pdf', 'pdf', 'Vedlegg')).status, 200);
    const send = await call('POST', `/api/messages/out/${id}`);
    assert.equal(send.status, 404, 'vedlegg.xml is named in metadataFiler but missing');
    assert.equal(send.body?.exception, 'no.difi.meldingsutveksling.exceptions.FileNotFoundException');
    assert.equal((await put(id, 'vedlegg.xml', '<x/>')).status, 200);
    assert.equal((await call('POST', `/api/messages/out/${id}`)).status, 200);
  });

  it('a second primary document is refused, behind the duplicate-filename check as in NextMoveValidator', async () => {
    const id = randomUUID();
    assert.equal((await call('POST', '/api/messages/out', { json: digitalSbd(id, {}) })).status, 200);
    assert.equal((await put(id, 'brev.pdf', 'pdf')).status, 200);
    const again = await put(id, 'brev.pdf', 'pdf', 'Brev');
    assert.equal(again.status, 400);
    assert.equal(again.body?.exception, 'no.difi.meldingsutveksling.exceptions.DuplicateFilenameException');
  });

  it('DPV files need a title', async () => {
    const id = randomUUID();
    const sbd = buildSbd({
      messageId: id,
      conversationId: id,
      receiver: { kind: 'organisation', organisationNumber: '940000001' },
      process: ADMIN,
      documentType: 'arkivmelding',
      businessMessage: { hoveddokument: 'a.pdf' },
    });
    assert.equal((await call('POST', '/api/messages/out', { json: sbd })).status, 200);
    const untitled = await put(id, 'a.pdf', 'pdf');
    assert.equal(untitled.status, 400);
    assert.equal(untitled.body?.message, 'Title is required for the following capabilities: DPV');
  });

  it('a digital message without its required fields: 400 ConstraintViolationException in the IP error shape', async () => {
    const id = randomUUID();
    const sbd = digitalSbd(id, { sikkerhetsnivaa: undefined, spraak: undefined });
    const answer = await call('POST', '/api/messages/out', { json: sbd });
    assert.equal(answer.status, 400);
    assert.equal(answer.body?.exception, 'jakarta.validation.ConstraintViolationException');
    assert.equal(answer.body?.error, 'Bad Request');
    assert.equal(answer.body?.path, '/api/messages/out');
    assert.ok(typeof answer.body?.timestamp === 'string');
    const errors = answer.body?.errors as Record<string, unknown>[];
    assert.deepEqual(
      errors.map((e) => e.field),
      ['any.sikkerhetsnivaa', 'any.spraak'],
    );
    assert.deepEqual(errors[0], {
      codes: ['NotNull'],
      defaultMessage: 'must not be null',
      objectName: 'any.sikkerhetsnivaa',
      field: 'any.sikkerhetsnivaa',
      bindingFailure: false,
      code: 'NotNull',
    });
  });

  it('peek with a serviceIdentifier the IP enum does not have: 500 IllegalArgumentException', async () => {
    for (const bad of ['dpo', 'DPFIO', 'XYZ']) {
      const answer = await call('GET', `/api/messages/in/peek?serviceIdentifier=${bad}`);
      assert.equal(answer.status, 500, bad);
      assert.equal(answer.body?.exception, 'java.lang.IllegalArgumentException');
    }
    assert.equal((await call('GET', '/api/messages/in/peek?serviceIdentifier=DPO')).status, 204);
    // Ferje's client names it: a configuration error, not a server hiccup to retry.
    const ip = new EformidlingClient({ baseUrl: sim.url });
    try {
      await assert.rejects(
        ip.peekIncoming({ serviceIdentifier: 'DPFIO' }),
        (err: unknown) => err instanceof PeekFilterRefusedError,
      );
    } finally {
      await ip.close();
    }
  });

  it('transport limits are binary: DPI takes 52 428 800 bytes in total, not one byte more', async () => {
    const id = randomUUID();
    assert.equal((await call('POST', '/api/messages/out', { json: digitalSbd(id, {}) })).status, 200);
    assert.equal((await put(id, 'brev.pdf', Buffer.alloc(52_428_800 - 10))).status, 200);
    const over = await put(id, 'vedlegg.pdf', Buffer.alloc(11), 'Vedlegg');
    assert.equal(over.status, 400);
    assert.equal(over.body?.exception, 'no.difi.meldingsutveksling.exceptions.MaxFileSizeExceededException');
    assert.equal((await put(id, 'vedlegg.pdf', Buffer.alloc(10), 'Vedlegg')).status, 200, 'exactly 50 MiB');
  });
});

/** A port that nothing listens on any more (connection refused). */
async function listenAndClose(): Promise<number> {
  const server = createServer();
  const port = await listen(server, '127.0.0.1', 0);
  await closeServer(server);
  return port;
}
