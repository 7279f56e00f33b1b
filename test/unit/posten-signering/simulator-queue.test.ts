import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PostenSignatureJobInput } from '../../../src/contract/posten-signering';
import { buildDocumentBundle } from '../../../src/integrations/posten-signering/bundle';
import { PostenSignatureClient } from '../../../src/integrations/posten-signering/client';
import { buildJobRequestXml } from '../../../src/integrations/posten-signering/job-xml';
import { loadPostenConfig } from '../../../src/modules/posten-signering/config';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import { createLogger } from '../../../src/logging/logger';
import {
  PostenModel,
  startPostenSimulator,
  type RunningPostenSimulator,
} from '../../../src/simulators/posten-signering';
import { defaultRules, type PostenSimulatorRules } from '../../../src/simulators/posten-signering/options';

const SENDER = '123456789';
const docs = new Map([['0000_a.pdf', Buffer.from('%PDF')]]);

function threeSignerJob(rules: Partial<PostenSimulatorRules>) {
  const model = new PostenModel({ ...defaultRules, emptyQueuePollDelayMs: 0, ...rules });
  const job = model.createJob({
    sender: SENDER,
    signers: [
      { pin: '1', order: 0 },
      { pin: '2', order: 0 },
      { pin: '3', order: 0 },
    ],
    documents: docs,
  });
  return { model, job };
}

describe('posten simulator: the queue holds every change (seed: an intermediate IN_PROGRESS is delivered)', () => {
  it('signers acting one at a time before the next poll: each change is delivered as it was', () => {
    const { model, job } = threeSignerJob({});
    model.sign(job.id, 1);
    model.sign(job.id, 2);
    model.sign(job.id, 3);
    assert.equal(model.queueLength(SENDER, ''), 3);
    const seen = [1, 2, 3].map(() => model.poll(SENDER, '').delivery!.snapshot);
    assert.deepEqual(
      seen.map((s) => [s.status, s.signers.filter((x) => x.status === 'SIGNED').length]),
      [
        ['IN_PROGRESS', 1],
        ['IN_PROGRESS', 2],
        ['COMPLETED_SUCCESSFULLY', 3],
      ],
    );
    assert.equal(model.poll(SENDER, '').delivery, undefined);
  });

  it('the latest-per-job switch merges them into one change read at poll time', () => {
    const { model, job } = threeSignerJob({ changeQueue: 'latest-per-job' });
    model.sign(job.id, 1);
    model.sign(job.id, 2);
    assert.equal(model.queueLength(SENDER, ''), 1);
    assert.equal(model.poll(SENDER, '').delivery!.snapshot.signers.filter((x) => x.status === 'SIGNED').length, 2);
  });

  it('an unconfirmed change comes back after the lease even when a newer one is queued', () => {
    let now = 0;
    const model = new PostenModel({ ...defaultRules, emptyQueuePollDelayMs: 0, redeliveryMs: 1000 }, () => now);
    const job = model.createJob({
      sender: SENDER,
      signers: [{ pin: '1' }, { pin: '2' }].map((s) => ({ ...s, order: 0 })),
      documents: docs,
    });
    model.sign(job.id, 1);
    const first = model.poll(SENDER, '').delivery!;
    model.sign(job.id, 2);
    now = 2000;
    const order = [model.poll(SENDER, '').delivery!, model.poll(SENDER, '').delivery!].map((d) => d.snapshot.status);
    assert.deepEqual(order, ['COMPLETED_SUCCESSFULLY', 'IN_PROGRESS'], 'the newer change, then the redelivery');
    assert.equal(model.stats.redeliveries, 1);
    assert.equal(first.snapshot.status, 'IN_PROGRESS');
  });
});

/** The three signers sign one after another, then the poller fetches the three changes. */
function signAllThenFetch(model: PostenModel, jobId: string): void {
  for (const signer of [1, 2, 3]) model.sign(jobId, signer);
  for (let i = 0; i < 3; i++) model.poll(SENDER, '');
}

describe('posten simulator: one confirmation URL per job, and what confirming an older change does', () => {
  it('oldest: confirming after a newer change was fetched acknowledges the older only; the newer stays leased', () => {
    const { model, job } = threeSignerJob({ confirmScope: 'oldest' });
    signAllThenFetch(model, job.id);
    model.confirm(job.id);
    assert.deepEqual(
      model.deliveriesOf(job.id).map((d) => d.confirmations),
      [1, 0, 0],
    );
    assert.equal(job.finalized, false, 'the final change is not acknowledged yet');
    model.confirm(job.id);
    model.confirm(job.id);
    assert.equal(job.finalized, true);
    assert.equal(model.stats.finalizedWithoutPades, 1, 'finalised without anyone fetching the PAdES: counted');
  });

  it('all-fetched: the older confirmation acknowledges every fetched change, the final one too (the job is gone)', () => {
    const { model, job } = threeSignerJob({ confirmScope: 'all-fetched' });
    signAllThenFetch(model, job.id);
    model.confirm(job.id);
    assert.deepEqual(
      model.deliveriesOf(job.id).map((d) => d.confirmations),
      [1, 1, 1],
    );
    assert.equal(model.stats.newerChangesConfirmed, 2);
    assert.equal(job.finalized, true);
    assert.throws(() => model.pades(job.id), /finalized/, 'the PAdES of the final change is gone');
    model.confirm(job.id);
    assert.equal(model.stats.duplicateConfirms, 1);
  });

  it('a change not fetched yet is never acknowledged by a confirmation', () => {
    const { model, job } = threeSignerJob({ confirmScope: 'all-fetched' });
    model.sign(job.id, 1);
    model.poll(SENDER, '');
    model.sign(job.id, 2);
    model.confirm(job.id);
    assert.equal(model.queueLength(SENDER, ''), 1, 'the second change is still queued');
    assert.equal(model.poll(SENDER, '').delivery!.snapshot.signers.filter((s) => s.status === 'SIGNED').length, 2);
  });
});

describe('posten simulator over HTTP: the switches as the client sees them', () => {
  let sim: RunningPostenSimulator;
  let client: PostenSignatureClient;
  const job: PostenSignatureJobInput = {
    sender: SENDER,
    reference: 'queue-1',
    title: 'T',
    documents: [{ title: 'D', fileName: 'd.pdf', content: { id: 'x', size: 1, sha256: 'x' } as never }],
    signers: [{ personalIdentificationNumber: '01010112345', notifications: { email: 'a@example.com' } }],
  };

  before(async () => {
    sim = await startPostenSimulator({
      dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-posten-queue-')),
      logger: createLogger('test', 'ERROR'),
      senders: [SENDER],
      mutualTls: false,
      rules: { emptyQueuePollDelayMs: 0 },
    });
    client = new PostenSignatureClient(loadPostenConfig(sim.env), createLogger('test', 'ERROR'));
  });
  after(async () => {
    await client.close();
    await sim.stop();
  });

  const control = async (body: unknown) => {
    const res = await fetch(`${sim.controlUrl}/control/rules`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('confirmation URL is <jobs>/{id}/complete as in the seed; reference omitted; poll time with a [zone]', async () => {
    assert.equal((await control({ omitReference: true, pollTimeZoneSuffix: 'Europe/Oslo' })).status, 200);
    assert.equal((await control({ brokers: {} })).status, 400, 'only the switchable rules');
    const bundle = buildDocumentBundle(job, [demoPdf('d')], client.keystore!, new Date());
    const created = await client.createPortalJob(SENDER, buildJobRequestXml(job), bundle.zip);
    sim.model.sign(created.signatureJobId, 1);
    const raw = await fetch(`${sim.rootUrl}/${SENDER}/portal/signature-jobs`);
    assert.match(raw.headers.get('x-next-permitted-poll-time') ?? '', /\+01:00\[Europe\/Oslo\]$/);
    assert.doesNotMatch(await raw.text(), /<reference>/);
    sim.model.redeliverLastChange(created.signatureJobId);
    const poll = await client.pollStatusChange(SENDER);
    assert.equal(poll.kind, 'change');
    if (poll.kind !== 'change') return;
    assert.equal(poll.change.reference, undefined);
    assert.equal(
      poll.change.confirmationUrl,
      `${sim.rootUrl}/${SENDER}/portal/signature-jobs/${created.signatureJobId}/complete`,
    );
    await client.confirm(SENDER, poll.change.confirmationUrl);
    await client.confirm(SENDER, poll.change.confirmationUrl);
    assert.equal(sim.model.stats.confirms, 2);
    assert.equal(sim.model.jobs.get(created.signatureJobId)?.finalized, true);
  });
});
