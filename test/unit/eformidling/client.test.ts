import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createReadStream } from 'node:fs';
import { EformidlingClient } from '../../../src/integrations/eformidling/client';
import {
  DuplicateFilenameError,
  FileTooLargeError,
  MessageAlreadyExistsError,
  MessageNotLockedError,
  ReceiverNotFoundError,
  SbdValidationError,
} from '../../../src/integrations/eformidling/errors';
import { multipartBody } from '../../../src/integrations/eformidling/multipart';
import { buildSbd } from '../../../src/integrations/eformidling/sbd';
import { listContainerEntries } from '../../../src/integrations/eformidling/asic';
import { writeAsic } from '../../../src/simulators/eformidling/asic';
import { injectIncoming } from '../../../src/simulators/eformidling/control';
import {
  startEformidlingSimulator,
  type RunningEformidlingSimulator,
} from '../../../src/simulators/eformidling/server';

const PROCESS = 'urn:no:difi:profile:arkivmelding:administrasjon:ver1.0';
const XML = (file: string): string =>
  `<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding"><referanseDokumentfil>${file}</referanseDokumentfil></arkivmelding>`;

describe('eFormidling client against the simulator', () => {
  let sim: RunningEformidlingSimulator;
  let ip: EformidlingClient;
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-eformidling-unit-'));
  before(async () => {
    sim = await startEformidlingSimulator({ dataDir: dir, settings: { stepDelayMs: 10 } });
    ip = new EformidlingClient({ baseUrl: sim.url });
  });
  after(async () => {
    await ip.close();
    await sim.stop();
  });

  const sbd = (messageId = randomUUID(), organisationNumber = '920000002') =>
    buildSbd({
      messageId,
      conversationId: messageId,
      receiver: { kind: 'organisation', organisationNumber },
      process: PROCESS,
      documentType: 'arkivmelding',
      businessMessage: { hoveddokument: 'a.pdf' },
    });
  const fileOf = (name: string, content: Buffer | string, title = name) => {
    const p = path.join(dir, `${randomUUID()}-${name}`);
    writeFileSync(p, content);
    const size = Buffer.byteLength(content);
    return {
      title,
      fileName: name,
      mediaType: 'application/pdf',
      size,
      path: p,
      open: async () => createReadStream(p),
    };
  };

  it('builds the SBD with org identifiers in 0192 form and the messageId as instanceIdentifier', () => {
    const id = randomUUID();
    const doc = sbd(id);
    assert.equal(doc.standardBusinessDocumentHeader.receiver?.[0].identifier.value, '0192:920000002');
    assert.equal(doc.standardBusinessDocumentHeader.documentIdentification.instanceIdentifier, id);
    assert.equal(
      doc.standardBusinessDocumentHeader.documentIdentification.standard,
      'urn:no:difi:arkivmelding:xsd::arkivmelding',
    );
    assert.equal(doc.standardBusinessDocumentHeader.businessScope.scope[0].identifier, PROCESS);
    assert.throws(
      () =>
        buildSbd({
          messageId: 'x',
          conversationId: 'y',
          process: 'nope',
          documentType: 'arkivmelding',
          businessMessage: {},
        }),
      (err: unknown) => err instanceof SbdValidationError && err.problems.length >= 3,
    );
  });

  it('maps Spring error bodies to precise classes', async () => {
    await assert.rejects(ip.capabilities('999999999'), ReceiverNotFoundError);
    const id = randomUUID();
    await ip.createMessage(sbd(id));
    await assert.rejects(
      ip.createMessage(sbd(id)),
      (err: unknown) => err instanceof MessageAlreadyExistsError && err.status === 400,
    );
    await ip.uploadFile(id, fileOf('arkivmelding.xml', XML('a.pdf')));
    await assert.rejects(ip.uploadFile(id, fileOf('arkivmelding.xml', XML('a.pdf'))), DuplicateFilenameError);
  });

  it('streams a multipart body whose Content-Length is exact, and refuses parts over 5 MiB', async () => {
    const id = randomUUID();
    const files = [fileOf('arkivmelding.xml', XML('a.pdf')), fileOf('a.pdf', Buffer.alloc(4096, 7))];
    const mp = multipartBody(JSON.stringify(sbd(id)), files);
    let total = 0;
    for await (const chunk of mp.body) total += chunk.length;
    assert.equal(total, mp.contentLength);
    await ip.sendMultipart(sbd(id), files);
    const big = randomUUID();
    await assert.rejects(
      ip.sendMultipart(sbd(big), [
        fileOf('arkivmelding.xml', XML('a.pdf')),
        fileOf('a.pdf', Buffer.alloc(5 * 1024 * 1024 + 1)),
      ]),
      FileTooLargeError,
    );
  });

  it('reads every page of a status history longer than ten', async () => {
    const id = randomUUID();
    await ip.createMessage(sbd(id));
    const conv = sim.state.findConversation(id);
    assert.ok(conv);
    for (let i = 0; i < 14; i++) sim.state.addStatus(conv, 'ANNET', `note ${i}`);
    const statuses = await ip.statuses(id);
    assert.equal(statuses.length, 15);
    assert.deepEqual(
      statuses.map((s) => s.id),
      [...statuses.map((s) => s.id)].sort((a, b) => a - b),
    );
  });

  it('peek locks, pop needs the lock, delete acknowledges; subscriptions are listed', async () => {
    await assert.rejects(ip.popIncoming(randomUUID()), (err: unknown) => (err as { status?: number }).status === 404);
    const entry = path.join(dir, 'in.asic');
    await writeAsic(entry, [{ name: 'x.txt', content: Buffer.from('hello') }]);
    assert.deepEqual(
      (await listContainerEntries(entry)).map((e) => e.name),
      ['mimetype', 'x.txt', 'META-INF/manifest.xml'],
    );
    assert.equal(await ip.peekIncoming({ serviceIdentifier: 'DPV' }), undefined);
    const sub = await ip.createSubscription({
      name: 'unit',
      pushEndpoint: 'http://127.0.0.1:9/x',
      resource: 'all',
      event: 'all',
    });
    assert.ok((await ip.listSubscriptions()).some((s) => s.id === sub.id));
    await ip.deleteSubscription(sub.id as number);
    await assert.rejects(
      ip.deleteIncoming(randomUUID()),
      (err: unknown) => (err as { status?: number }).status === 404,
    );
    const { messageId } = await injectIncoming(sim.state, dir, { files: [{ name: 'x.txt', text: 'hello' }] });
    await assert.rejects(ip.popIncoming(messageId), MessageNotLockedError);
    const peeked = await ip.peekIncoming({ messageId });
    assert.equal(peeked?.standardBusinessDocumentHeader.documentIdentification.instanceIdentifier, messageId);
    assert.equal(await ip.peekIncoming({ messageId }), undefined, 'a locked message is not peeked twice');
    const popped = await ip.popIncoming(messageId);
    assert.ok(popped);
    let bytes = 0;
    for await (const chunk of popped.body) bytes += (chunk as Buffer).length;
    assert.equal(bytes, popped.size);
    await ip.deleteIncoming(messageId);
    await assert.rejects(ip.deleteIncoming(messageId), (err: unknown) => (err as { status?: number }).status === 404);
  });

  it('identifies itself with a Ferje User-Agent', () => {
    assert.ok(
      [...sim.userAgents].every((ua) => /^Ferje\/\d+\.\d+\.\d+ \(\S+ \S+\)$/.test(ua)),
      [...sim.userAgents].join(),
    );
  });
});
