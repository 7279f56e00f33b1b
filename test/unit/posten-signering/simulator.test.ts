import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import type { PostenSignatureJobInput } from '../../../src/contract/posten-signering';
import { buildDocumentBundle, readDocumentBundle } from '../../../src/integrations/posten-signering/bundle';
import { PostenSignatureClient } from '../../../src/integrations/posten-signering/client';
import { loadPostenConfig } from '../../../src/modules/posten-signering/config';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import { PostenApiError } from '../../../src/integrations/posten-signering/errors';
import { buildJobRequestXml } from '../../../src/integrations/posten-signering/job-xml';
import { createLogger } from '../../../src/logging/logger';
import {
  PostenModel,
  startPostenSimulator,
  type RunningPostenSimulator,
} from '../../../src/simulators/posten-signering';
import { defaultRules } from '../../../src/simulators/posten-signering/options';

const docs = new Map([['0000_a.pdf', Buffer.from('%PDF')]]);

describe('posten signering simulator: the portal rules', () => {
  it('order groups activate one after another; a rejection makes the rest NOT_APPLICABLE', () => {
    const model = new PostenModel({ ...defaultRules });
    const job = model.createJob({
      sender: '123456789',
      signers: [
        { pin: '1', order: 1 },
        { pin: '2', order: 1 },
        { pin: '3', order: 5 },
      ],
      documents: docs,
    });
    assert.equal(job.activeOrder, 1);
    assert.throws(() => model.sign(job.id, 3), /not active/);
    model.sign(job.id, 1);
    assert.equal(job.activeOrder, 1);
    model.sign(job.id, 2);
    assert.equal(job.activeOrder, 5);
    model.reject(job.id, 3);
    assert.equal(job.status, 'FAILED');
    const other = model.createJob({
      sender: '123456789',
      signers: [
        { pin: '1', order: 0 },
        { pin: '2', order: 1 },
      ],
      documents: docs,
    });
    model.reject(other.id, 1);
    assert.deepEqual(
      other.signers.map((s) => s.status),
      ['REJECTED', 'NOT_APPLICABLE'],
    );
  });

  it('latest-per-job queue: one pending change per job; a fetched change comes back unless confirmed', () => {
    let now = 1_000_000;
    const model = new PostenModel(
      { ...defaultRules, changeQueue: 'latest-per-job', redeliveryMs: 10_000, emptyQueuePollDelayMs: 5_000 },
      () => now,
    );
    const job = model.createJob({
      sender: '123456789',
      signers: [
        { pin: '1', order: 0 },
        { pin: '2', order: 0 },
      ],
      documents: docs,
    });
    model.sign(job.id, 1);
    model.sign(job.id, 2);
    assert.equal(model.queueLength('123456789', ''), 1, 'both signatures in one pending change');
    const first = model.poll('123456789', '').delivery!;
    assert.equal(first.snapshot.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(model.poll('123456789', '').delivery, undefined, 'fetched changes leave the queue');
    now += 4_000;
    assert.throws(() => model.poll('123456789', ''), /too early/, 'a 204 sets the next permitted poll time');
    now += 7_000;
    const again = model.poll('123456789', '').delivery!;
    assert.deepEqual(again.snapshot, first.snapshot, 'the same change, redelivered');
    model.confirm(job.id);
    model.confirm(job.id);
    model.confirm(job.id);
    assert.equal(model.stats.duplicateConfirms, 1, 'one confirmation per fetch; the third has nothing left');
    assert.equal(job.finalized, true);
    assert.throws(() => model.xades(job.id, 1), /finalized/);
  });

  it('a confirmed change can be made to come back (a confirmation Posten received too late), finalised job or not', () => {
    const model = new PostenModel({ ...defaultRules, emptyQueuePollDelayMs: 0 });
    const job = model.createJob({ sender: '123456789', signers: [{ pin: '1', order: 0 }], documents: docs });
    assert.throws(() => model.redeliverLastChange(job.id), /no change of this job has been delivered/);
    model.sign(job.id, 1);
    const first = model.poll('123456789', '').delivery!;
    model.confirm(job.id);
    assert.equal(job.finalized, true);
    model.redeliverLastChange(job.id);
    model.redeliverLastChange(job.id);
    assert.equal(model.queueLength('123456789', ''), 1, 'the same change is queued once');
    const again = model.poll('123456789', '').delivery!;
    assert.notEqual(again.id, first.id, 'a new delivery with its own confirmation');
    assert.deepEqual(again.snapshot, first.snapshot);
    assert.equal(model.stats.redeliveries, 1);
    model.confirm(job.id);
    assert.deepEqual(model.deliveriesOf(job.id), [
      { id: first.id, confirmations: 1 },
      { id: again.id, confirmations: 1 },
    ]);
    assert.equal(model.stats.duplicateConfirms, 0);
  });

  it('availability is counted per order group; expiry ends the job', () => {
    let now = 0;
    const model = new PostenModel({ ...defaultRules }, () => now);
    const job = model.createJob({
      sender: '123456789',
      signers: [
        { pin: '1', order: 0 },
        { pin: '2', order: 1 },
      ],
      availableSeconds: 10,
      documents: docs,
    });
    now = 9_000;
    model.sign(job.id, 1);
    now = 18_000;
    model.tick();
    assert.equal(job.status, 'IN_PROGRESS', 'the second group has its own 10 s');
    now = 19_500;
    model.tick();
    assert.equal(job.status, 'FAILED');
    assert.deepEqual(
      job.signers.map((s) => s.status),
      ['SIGNED', 'EXPIRED'],
    );
  });

  it('documents may be deleted only 24 h after the last signature', () => {
    let now = 0;
    const model = new PostenModel({ ...defaultRules }, () => now);
    const job = model.createJob({ sender: '123456789', signers: [{ pin: '1', order: 0 }], documents: docs });
    model.sign(job.id, 1);
    assert.throws(() => model.deleteDocuments(job.id), /24 h/);
    now = 24 * 3600_000;
    model.deleteDocuments(job.id);
    assert.throws(() => model.pades(job.id), /deleted/);
  });
});

describe('posten signering simulator over HTTP: bundle checks', () => {
  let sim: RunningPostenSimulator;
  let client: PostenSignatureClient;
  const job: PostenSignatureJobInput = {
    sender: '123456789',
    reference: 'sim-1',
    title: 'T',
    documents: [{ title: 'D', fileName: 'd.pdf', content: { sha256: 'a'.repeat(64), size: 1 } }],
    signers: [{ personalIdentificationNumber: '12345678910', notifications: { email: 'x@example.com' } }],
  };
  before(async () => {
    sim = await startPostenSimulator({
      dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-posten-sim-')),
      logger: createLogger('test', 'ERROR'),
      senders: ['123456789'],
      mutualTls: false,
    });
    client = new PostenSignatureClient(loadPostenConfig(sim.env), createLogger('test', 'ERROR'));
  });
  after(async () => {
    await client.close();
    await sim.stop();
  });

  const rejectsWith = async (zip: Uint8Array, code: string): Promise<void> => {
    const err = await client.createPortalJob('123456789', buildJobRequestXml(job), zip).catch((e: unknown) => e);
    assert.ok(err instanceof PostenApiError, String(err));
    assert.equal(err.errorCode, code);
  };

  it('accepts a correct bundle (plain-HTTP mode for quick tests)', async () => {
    const bundle = buildDocumentBundle(job, [demoPdf('d')], client.keystore!, new Date());
    const created = await client.createPortalJob('123456789', buildJobRequestXml(job), bundle.zip);
    assert.equal(sim.model.jobs.get(created.signatureJobId)?.reference, 'sim-1');
  });

  it('refuses a tampered document, a stale SigningTime, a missing document and a mimetype entry', async () => {
    const good = buildDocumentBundle(job, [demoPdf('d')], client.keystore!, new Date());
    const files = Object.fromEntries(readDocumentBundle(good.zip));
    await rejectsWith(zipSync({ ...files, '0000_d.pdf': demoPdf('changed') }), 'INVALID_SIGNATURE');
    const stale = buildDocumentBundle(job, [demoPdf('d')], client.keystore!, new Date(Date.now() - 60_000));
    await rejectsWith(stale.zip, 'INVALID_SIGNATURE');
    const { ['0000_d.pdf']: _dropped, ...missing } = files;
    await rejectsWith(zipSync(missing), 'INVALID_DOCUMENT_BUNDLE');
    await rejectsWith(
      zipSync({ mimetype: Buffer.from('application/vnd.etsi.asic-e+zip'), ...files }),
      'INVALID_DOCUMENT_BUNDLE',
    );
  });
});
