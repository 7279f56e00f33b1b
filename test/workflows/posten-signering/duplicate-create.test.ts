import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postenJobProgressQuery, postenResolveUncertainCreateUpdate } from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { recordHistory } from '../../harness/histories';
import { signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signature job: creates whose outcome is unknown', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
  });
  after(() => bed.close());

  it('a dropped answer to create makes the retry create a second job; the first one is cancelled when it shows up', async () => {
    bed.sim.faults.add({ route: 'create', kind: 'dropAfterCommit', times: 1 });
    const handle = await bed.startJob(await bed.job('dup-1', [signerWithPin(71), signerWithPin(72)]));
    await bed.waitFor('two jobs exist', () => jobsFor('dup-1').length === 2);
    const [lost, known] = jobsFor('dup-1');
    // The simulator holds the second job before the workflow has recorded the answer to create.
    await bed.waitFor(
      'the workflow recorded the job it created',
      async () => (await handle.query(postenJobProgressQuery)).signatureJobId !== undefined,
    );
    const progress = await handle.query(postenJobProgressQuery);
    assert.equal(progress.signatureJobId, known.id, 'the workflow owns the job whose answer it received');

    // A signer acts on the job Ferje never heard of: its change carries our reference.
    bed.sim.model.sign(lost.id, 1);
    await bed.waitFor('the unknown job is cancelled and its changes confirmed', () => lost.finalized);
    assert.deepEqual(
      lost.signers.map((s) => s.status),
      ['SIGNED', 'CANCELLED'],
    );
    bed.sim.model.sign(known.id, 1);
    bed.sim.model.sign(known.id, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(result.signatureJobId, known.id);
    assert.deepEqual(
      result.duplicateJobs.map((d) => ({
        id: d.signatureJobId,
        outcome: d.outcome,
        status: d.status,
        kept: !!d.pades,
      })),
      [{ id: lost.id, outcome: 'CANCELLED', status: 'FAILED', kept: true }],
    );
    assert.equal(bed.sim.model.stats.duplicateConfirms, 0);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-duplicate-create');
  });

  it('when every create attempt fails, the job waits visibly (CREATE_UNCERTAIN) until a change or an operator decides', async () => {
    bed.sim.faults.add({ route: 'create', kind: 'status5xx', times: 5 });
    const handle = await bed.startJob(await bed.job('dup-2', [signerWithPin(73)]));
    await bed.waitFor(
      'create attempts exhausted',
      async () => (await handle.query(postenJobProgressQuery)).phase === 'CREATE_UNCERTAIN',
      90_000,
    );
    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'CREATE_UNCERTAIN');
    assert.equal(jobsFor('dup-2').length, 0);
    // The operator checked Posten's web portal: no job exists. Create again.
    await handle.executeUpdate(postenResolveUncertainCreateUpdate, { args: [{ action: 'RETRY_CREATE' }] });
    await bed.waitFor('job created after the operator decided', () => jobsFor('dup-2').length === 1);
    bed.sim.model.sign(jobsFor('dup-2')[0].id, 1);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-create-uncertain');
  });

  it('after a create whose outcome stayed unknown, the first job to speak is adopted and a later one cancelled', async () => {
    // Every attempt reached Posten and every answer was lost: five jobs exist, Ferje knows none of their ids.
    bed.sim.faults.add({ route: 'create', kind: 'dropAfterCommit', times: 5 });
    const handle = await bed.startJob(await bed.job('dup-3', [signerWithPin(74), signerWithPin(75)]));
    await bed.waitFor(
      'create attempts exhausted',
      async () => (await handle.query(postenJobProgressQuery)).phase === 'CREATE_UNCERTAIN',
      90_000,
    );
    const jobs = jobsFor('dup-3');
    assert.equal(jobs.length, 5);
    const [first, , third] = jobs;

    // A signer acts on the third job: its change carries our reference, so that job is ours.
    bed.sim.model.sign(third.id, 1);
    await bed.waitFor('the third job adopted', async () => {
      const progress = await handle.query(postenJobProgressQuery);
      // The XAdES is stored in the same workflow task that updates the operator's view.
      return progress.signatureJobId === third.id && progress.signers[0].xades !== undefined;
    });
    const progress = await handle.query(postenJobProgressQuery);
    assert.equal(progress.phase, 'AWAITING_SIGNATURES', 'no longer shown as a create that may not have happened');
    const adopted = await handle.describe();
    assert.equal(adopted.typedSearchAttributes.get(searchAttributes.status), 'IN_PROGRESS');

    // Another of the five speaks later: it is a duplicate now, cancelled, its change confirmed.
    bed.sim.model.sign(first.id, 1);
    await bed.waitFor('the first job cancelled and its changes confirmed', () => first.finalized);
    bed.sim.model.sign(third.id, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(result.signatureJobId, third.id);
    assert.ok(result.pades, 'the PAdES of the adopted job is stored');
    assert.deepEqual(
      result.duplicateJobs.map((d) => ({ id: d.signatureJobId, outcome: d.outcome })),
      [{ id: first.id, outcome: 'CANCELLED' }],
    );
    // The three that never spoke are still waiting at Posten: Ferje cannot see them until they change.
    assert.deepEqual(
      jobs.filter((j) => j.id !== first.id && j.id !== third.id).map((j) => j.finalized),
      [false, false, false],
    );
    assert.equal(bed.sim.model.stats.duplicateConfirms, 0);
    await recordHistory(bed.env.client, handle.workflowId, 'posten-signering-job-create-uncertain-adopted');
  });

  function jobsFor(reference: string) {
    return [...bed.sim.model.jobs.values()]
      .filter((j) => j.reference === reference && j.sender === bed.sender)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }
});
