import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { toFailure } from '../../../activities/posten-signering/failures';
import type { PostenSignatureJobInput } from '../../../src/contract/posten-signering';
import { postenFailureTypes } from '../../../src/contract/posten-signering';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import { buildDocumentBundle } from '../../../src/integrations/posten-signering/bundle';
import { PostenSignatureClient } from '../../../src/integrations/posten-signering/client';
import { loadPostenConfig } from '../../../src/modules/posten-signering/config';
import {
  PostenApiError,
  PostenBrokerNotAuthorizedError,
  PostenJobAlreadyFinishedError,
  PostenRateLimitedError,
  PostenSchemaValidationError,
  PostenTlsError,
  PostenTooEagerPollingError,
  PostenUntrustedUrlError,
} from '../../../src/integrations/posten-signering/errors';
import { buildJobRequestXml } from '../../../src/integrations/posten-signering/job-xml';
import { KeystoreError, loadPkcs12 } from '../../../src/integrations/posten-signering/keystore';
import { multipartMixed, parseMultipart } from '../../../src/integrations/posten-signering/multipart';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import { createLogger } from '../../../src/logging/logger';
import {
  startPostenSimulator,
  SIMULATOR_KEYSTORE_PASSPHRASE,
  type RunningPostenSimulator,
} from '../../../src/simulators/posten-signering';

const SENDER = '111222333';
const OTHER = '444555666';
const logger = createLogger('test', 'ERROR');
/** The simulator's warnings (its DoS block line), kept to look at. */
const simulatorWarnings: string[] = [];
const simulatorLogger = createLogger('simulator', 'WARN', (line) => simulatorWarnings.push(line));

const job = (reference: string, title = 'Contract'): PostenSignatureJobInput => ({
  sender: SENDER,
  reference,
  title,
  documents: [{ title: 'Contract', fileName: 'c.pdf', content: { sha256: 'a'.repeat(64), size: 1 } }],
  signers: [
    { personalIdentificationNumber: '12345678910', notifications: { email: 'x@example.com' } },
    { personalIdentificationNumber: '10987654321', notifications: { email: 'y@example.com' } },
  ],
});

describe('posten signering client against the simulator (mutual TLS)', () => {
  let sim: RunningPostenSimulator;
  let client: PostenSignatureClient;
  const clients: PostenSignatureClient[] = [];
  const make = (env: Record<string, string> = {}): PostenSignatureClient => {
    const c = new PostenSignatureClient(loadPostenConfig({ ...sim.env, ...env }), logger);
    clients.push(c);
    return c;
  };
  const create = async (c: PostenSignatureClient, reference: string, title?: string) =>
    c.createPortalJob(
      SENDER,
      buildJobRequestXml(job(reference, title)),
      buildDocumentBundle(job(reference, title), [demoPdf('x')], c.keystore!, new Date()).zip,
    );

  before(async () => {
    sim = await startPostenSimulator({
      dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-posten-client-')),
      logger: simulatorLogger,
      senders: [SENDER, OTHER],
      rules: { emptyQueuePollDelayMs: 400, maxRequestsPerSecond: 10, blockMs: 1500 },
    });
    client = make({ POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND: '8' });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await sim.stop();
  });

  it('create → poll → download → confirm → cancel (204, then 409 as a typed error)', async () => {
    assert.equal(await client.whoAmI(SENDER), `You are ${SENDER}.`);
    const created = await create(client, 'c-1');
    sim.model.sign(created.signatureJobId, 1);
    const poll = await client.pollStatusChange(SENDER);
    assert.equal(poll.kind, 'change');
    if (poll.kind !== 'change') return;
    assert.equal(poll.change.reference, 'c-1');
    const xades = await client.download(SENDER, poll.change.signatures[0].xadesUrl!, 'xades');
    const chunks: Buffer[] = [];
    for await (const c of xades) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), sim.model.jobs.get(created.signatureJobId)?.signers[0].xades);
    await client.confirm(SENDER, poll.change.confirmationUrl);
    await client.cancel(SENDER, created.cancellationUrl);
    await assert.rejects(client.cancel(SENDER, created.cancellationUrl), PostenJobAlreadyFinishedError);
  });

  it('delete-documents is offered once allowed, and afterwards the documents are gone', async () => {
    sim.model.rules.deleteDocumentsAfterMs = 0;
    const created = await create(client, 'c-del');
    sim.model.sign(created.signatureJobId, 1);
    sim.model.sign(created.signatureJobId, 2);
    let poll = await client.pollStatusChange(SENDER);
    // The previous test's cancellation left its final change on the queue, and the first signature queued its own
    // IN_PROGRESS change: confirm those and move on to the final one.
    while (
      poll.kind === 'change' &&
      (poll.change.signatureJobId !== created.signatureJobId || poll.change.status === 'IN_PROGRESS')
    ) {
      await client.confirm(SENDER, poll.change.confirmationUrl);
      poll = await client.pollStatusChange(SENDER);
    }
    assert.equal(poll.kind, 'change');
    if (poll.kind !== 'change') return;
    assert.ok(poll.change.deleteDocumentsUrl);
    await client.deleteDocuments(SENDER, poll.change.deleteDocumentsUrl);
    await assert.rejects(client.download(SENDER, poll.change.padesUrl!, 'pades'), PostenApiError);
    await client.confirm(SENDER, poll.change.confirmationUrl);
  });

  it('204 carries the permitted time; polling before it is a typed 429 with the new time', async () => {
    await new Promise((r) => setTimeout(r, 450));
    const empty = await client.pollStatusChange(SENDER, 'nothing-here');
    assert.equal(empty.kind, 'empty');
    assert.ok(empty.nextPermittedPollAt > Date.now() + 200);
    const err = await client.pollStatusChange(SENDER, 'nothing-here').catch((e: unknown) => e);
    assert.ok(err instanceof PostenTooEagerPollingError);
    assert.ok(Math.abs(err.nextPermittedPollAt - empty.nextPermittedPollAt) < 5);
    const failure = toFailure(err);
    assert.equal(failure.type, postenFailureTypes.tooEagerPolling);
    assert.ok((failure.nextRetryDelay as number) > 0);
  });

  it('the pacer keeps a burst of 30 calls under 10 per second: no 429', async () => {
    const before429 = sim.model.stats.http429;
    const started = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => client.whoAmI(SENDER)));
    assert.equal(sim.model.stats.http429, before429);
    assert.ok(Date.now() - started >= 3000, 'paced at 8 per second');
  });

  it('without pacing the 10 requests/second rule answers 429 (DoSFilter) and blocks the organisation', async () => {
    // The previous test's requests leave Posten's one-second window first.
    await new Promise((r) => setTimeout(r, 1100));
    const eager = make({ POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND: '1000' });
    // One more than the limit at once: the eleventh within the second is refused and blocks the organisation. (More
    // would wait out the client's own 30 s hold: a pacer lets nothing go while Posten's block lasts.)
    const results = await Promise.allSettled(Array.from({ length: 11 }, () => eager.whoAmI(SENDER)));
    const limited = results.filter((r) => r.status === 'rejected' && r.reason instanceof PostenRateLimitedError);
    assert.ok(limited.length > 0);
    assert.equal(toFailure((limited[0] as PromiseRejectedResult).reason).type, postenFailureTypes.rateLimited);
    // Asked through another pacer: a 429 makes the asking client hold back 30 s, as Posten's block demands.
    const blocked = await make({ POSTEN_SIGNERING_MAX_REQUESTS_PER_SECOND: '999' })
      .whoAmI(SENDER)
      .catch((e: unknown) => e);
    assert.ok(blocked instanceof PostenRateLimitedError, 'the block holds for the whole organisation');
    // The simulator says which second tipped it: the eleven requests, each with its arrival and kind.
    const block = simulatorWarnings.map((l) => JSON.parse(l) as Record<string, string>).find((e) => /DoS/.test(e.msg));
    assert.equal(block?.org, SENDER);
    assert.equal(block?.requests?.split(', ').length, 11);
    assert.match(block?.requests ?? '', /^\+0 GET \w+(, \+\d+ GET \w+){10}$/);
    await new Promise((r) => setTimeout(r, 1600));
  });

  it('SCHEMA_VALIDATION_ERROR becomes a typed, non-retryable error without personal data', async () => {
    const bad = job('c-2', 'x'.repeat(81));
    const err = await client
      .createPortalJob(
        SENDER,
        buildJobRequestXml(bad),
        buildDocumentBundle(bad, [demoPdf('x')], client.keystore!, new Date()).zip,
      )
      .catch((e: unknown) => e);
    assert.ok(err instanceof PostenSchemaValidationError);
    assert.equal(err.httpStatus, 400);
    assert.match(err.message, /SCHEMA_VALIDATION_ERROR/);
    assert.ok(!err.message.includes('xxxxxxxxxx'), 'values quoted by the schema validator are masked');
    const failure = toFailure(err);
    assert.equal(failure.type, postenFailureTypes.schemaValidation);
    assert.equal(failure.nonRetryable, true);
  });

  it('URLs from responses are followed only on the configured origin', async () => {
    await assert.rejects(client.confirm(SENDER, 'https://evil.example.com/api/complete'), PostenUntrustedUrlError);
    assert.equal(toFailure(new PostenUntrustedUrlError('x')).type, commonFailureTypes.untrustedUrl);
  });

  it('the server certificate is checked by chain and organisation number, not host name', async () => {
    await assert.rejects(
      make({ POSTEN_SIGNERING_SERVER_ORGANIZATION_NUMBER: '999999999' }).whoAmI(SENDER),
      (e: unknown) => {
        assert.ok(e instanceof PostenTlsError);
        assert.match(e.message, /984661185, expected 999999999/);
        return true;
      },
    );
    const untrusted = new PostenSignatureClient({ ...loadPostenConfig(sim.env), trustedRootsFile: undefined }, logger);
    clients.push(untrusted);
    await assert.rejects(untrusted.whoAmI(SENDER), PostenTlsError);
  });

  it('a certificate of another organisation may not act for the sender (BROKER_NOT_AUTHORIZED), unless authorised', async () => {
    const broker = make({ POSTEN_SIGNERING_KEYSTORE_FILE: sim.keystores[OTHER] });
    await assert.rejects(broker.whoAmI(SENDER), PostenBrokerNotAuthorizedError);
    sim.model.rules.brokers[OTHER] = [SENDER];
    assert.equal(await broker.whoAmI(SENDER), `You are ${SENDER}.`);
  });

  it('reads legacy and modern (AES-256, PBKDF2, SHA-256 MAC) PKCS#12 files; a wrong passphrase is a KeystoreError', () => {
    const legacy = readFileSync(sim.keystores[SENDER]);
    assert.throws(() => loadPkcs12(legacy, 'wrong'), KeystoreError);
    const ks = loadPkcs12(legacy, SIMULATOR_KEYSTORE_PASSPHRASE);
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-p12-'));
    writeFileSync(path.join(dir, 'key.pem'), ks.keyPem);
    writeFileSync(path.join(dir, 'cert.pem'), ks.chainPem.join('\n'));
    // Test-only use of the openssl CLI to produce a file the way current tools (OpenSSL 3 defaults) write it.
    const out = spawnSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-inkey',
        'key.pem',
        '-in',
        'cert.pem',
        '-out',
        'modern.p12',
        '-passout',
        'pass:modern',
        '-keypbe',
        'AES-256-CBC',
        '-certpbe',
        'AES-256-CBC',
        '-macalg',
        'sha256',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(out.status, 0, out.stderr);
    const modern = loadPkcs12(readFileSync(path.join(dir, 'modern.p12')), 'modern');
    assert.equal(modern.certificate.fingerprint256, ks.certificate.fingerprint256);
  });

  it('multipart/mixed: XML part first, bundle second, no names; the simulator side splits it back', () => {
    const mp = multipartMixed('<a/>');
    const body = Buffer.concat([mp.head, Buffer.from([0, 1, 2, 13, 10, 45, 45]), mp.tail]);
    const parts = parseMultipart(body, mp.contentType);
    assert.equal(parts.length, 2);
    assert.equal(parts[0].headers['content-type'], 'application/xml; charset=UTF-8');
    assert.equal(parts[0].body.toString(), '<a/>');
    assert.equal(parts[1].headers['content-type'], 'application/octet-stream');
    assert.deepEqual([...parts[1].body], [0, 1, 2, 13, 10, 45, 45]);
    assert.match(mp.contentType, /^multipart\/mixed; boundary=/);
  });

  it("classifies errors into the contract's failure types", () => {
    const f = toFailure(new KeystoreError('bad'));
    assert.ok(f instanceof ApplicationFailure);
    assert.equal(f.type, postenFailureTypes.tlsConfiguration);
    assert.equal(f.nonRetryable, false);
  });
});
