import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import type { OutgoingMessageInput } from '../../../src/contract/eformidling';
import type { SimStats } from '../../../src/simulators/eformidling/state';
import {
  ADMIN_PROCESS,
  arkivmeldingXml,
  control,
  digitalBusinessMessage,
  messageFailure,
  putRandom,
  runMessage,
  startRig,
  type EformidlingTestRig,
} from './harness';

const VEDTAK = 'urn:no:difi:profile:digitalpost:vedtak:ver1.0';
const TRACKING = { pollInitialInterval: '300 ms', pollMaxInterval: '1 second' };

/**
 * The IP's upload checks that Ferje makes itself, before anything is created or uploaded (FerjeInvalidInput with the
 * field's path), and the binary transport limit at its exact boundary — against the simulator that enforces the same
 * rules (test/unit/eformidling/simulator-rules.test.ts).
 */
describe('eFormidling: the IP upload rules are checked before any upload', () => {
  let rig: EformidlingTestRig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig.stop();
  });

  const run = (input: OutgoingMessageInput) => runMessage(rig, input);
  const failure = (input: OutgoingMessageInput) => messageFailure(rig, input);
  const stats = async () => (await control<{ stats: SimStats }>(rig, 'GET', '/state')).stats;
  const problemPaths = (f: ApplicationFailure): string[] =>
    ((f.details?.[0] ?? []) as { path: string }[]).map((p) => p.path);

  const digital = async (files: OutgoingMessageInput['files'], extra: Record<string, unknown> = {}) =>
    ({
      messageId: crypto.randomUUID(),
      receiver: { kind: 'person', personalIdentificationNumber: '01017012345' },
      process: VEDTAK,
      documentType: 'digital',
      businessMessage: { ...digitalBusinessMessage, ...extra },
      files,
      tracking: TRACKING,
    }) satisfies OutgoingMessageInput;

  it('DPI: an untitled attachment, a metadataFiler file that is missing → FerjeInvalidInput, no call to the IP', async () => {
    const before = (await stats()).apiRequests;
    const pdf = await putRandom(rig.blobStore, 1000);
    const input = await digital(
      [
        { blob: pdf, fileName: 'brev.pdf' },
        { blob: pdf, fileName: 'vedlegg.pdf' },
      ],
      { metadataFiler: { 'brev.pdf': 'brev.xml' } },
    );
    const f = await failure(input);
    assert.equal(f.type, 'FerjeInvalidInput');
    assert.deepEqual(problemPaths(f).sort(), ['/businessMessage/metadataFiler', '/files/1/title']);
    assert.equal((await stats()).apiRequests, before, 'the IP heard nothing');
  });

  it('DPV (known after the capability lookup): an untitled file → FerjeInvalidInput, nothing created', async () => {
    const xml = await rig.blobStore.put(Buffer.from(arkivmeldingXml('a.pdf')), { mediaType: 'application/xml' });
    const pdf = await putRandom(rig.blobStore, 1000);
    const input: OutgoingMessageInput = {
      messageId: crypto.randomUUID(),
      receiver: { kind: 'organisation', organisationNumber: '940000001' },
      process: ADMIN_PROCESS,
      documentType: 'arkivmelding',
      businessMessage: { hoveddokument: 'a.pdf' },
      files: [
        { blob: xml, fileName: 'arkivmelding.xml', title: 'Arkivmelding' },
        { blob: pdf, fileName: 'a.pdf' },
      ],
      tracking: TRACKING,
    };
    const before = await stats();
    const f = await failure(input);
    assert.equal(f.type, 'FerjeInvalidInput');
    assert.deepEqual(problemPaths(f), ['/files/1/title']);
    const after = await stats();
    assert.equal(after.creates[input.messageId] ?? 0, 0);
    assert.equal(after.multipartPosts, before.multipartPosts);
  });

  it('DPI total of exactly 52 428 800 bytes (50 MB as the IP counts) is sent; one byte more is TOO_LARGE', async () => {
    const exact = await putRandom(rig.blobStore, 52_428_800);
    const result = await run(await digital([{ blob: exact, fileName: 'brev.pdf' }]));
    assert.equal(result.finalStatus, 'LEVERT');
    assert.equal(result.serviceIdentifier, 'DPI');

    const over = await putRandom(rig.blobStore, 52_428_801);
    const input = await digital([{ blob: over, fileName: 'brev.pdf' }]);
    const f = await failure(input);
    assert.equal(f.type, 'EformidlingMessageTooLarge');
    assert.deepEqual(f.details?.[0], { serviceIdentifier: 'DPI', totalBytes: 52_428_801, limitBytes: 52_428_800 });
    assert.equal((await stats()).creates[input.messageId] ?? 0, 0);
  });
});
