import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FlowStartError } from '../../../src/client/flow-errors';
import { startFlow } from '../../../src/client/flows';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import {
  postenFlows,
  postenJobProgressQuery,
  postenStatusChangeSignal,
  postenWorkflowTypes,
  type PostenSignatureJobInput,
} from '../../../src/contract/posten-signering';
import { refusedAtStart } from '../../harness/hostile-start';
import { signerWithPin, startTestbed, type Testbed } from './harness';

/** Checksum-valid national identity numbers (synthetic): refused wherever they would become part of a key. */
const NORWEGIAN_ID = '01019000083';
const SWEDISH_ID = '900101-1239';

/**
 * Hostile input to the three Posten workflow types, started the language-neutral way (a raw start with any JSON as
 * the argument, as `temporal workflow start --input …` does). Each case must end at once with a typed,
 * non-retryable failure naming the field, and must not reach Posten (the simulator counts every request).
 */
describe('posten signering: hostile input to every workflow type (real dev server, simulator)', () => {
  let bed: Testbed;
  let job: PostenSignatureJobInput;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
    job = await bed.job('hostile-ok', [signerWithPin(81)]);
  });
  after(() => bed.close());

  const cases: { label: string; type: string; args: unknown[]; field: string }[] = [];
  const jobCase = (label: string, field: string, input: () => unknown): void =>
    void cases.push({ label, type: postenWorkflowTypes.signatureJob, args: [input], field });
  const pollerCase = (label: string, field: string, input: unknown): void =>
    void cases.push({ label, type: postenWorkflowTypes.statusPoller, args: [input], field });
  const unownedCase = (label: string, field: string, input: unknown): void =>
    void cases.push({ label, type: postenWorkflowTypes.unownedJob, args: [input], field });

  cases.push({ label: 'no argument at all', type: postenWorkflowTypes.signatureJob, args: [], field: '(input)' });
  jobCase('null', '(input)', () => null);
  jobCase('a string', '(input)', () => 'job');
  jobCase('an array', '(input)', () => [job]);
  jobCase('an empty object', '/sender', () => ({}));
  jobCase('a Norwegian national identity number as reference', '/reference', () => ({
    ...job,
    reference: NORWEGIAN_ID,
  }));
  jobCase('a Swedish personnummer inside the reference', '/reference', () => ({
    ...job,
    reference: `x-${SWEDISH_ID}`,
  }));
  jobCase('a reference of 51 characters', '/reference', () => ({ ...job, reference: 'r'.repeat(51) }));
  jobCase('a title of 81 characters', '/title', () => ({ ...job, title: 't'.repeat(81) }));
  jobCase('an availability of 0 seconds', '/availability/availableSeconds', () => ({
    ...job,
    availability: { availableSeconds: 0 },
  }));
  jobCase('an impossible calendar date', '/availability/activationTime', () => ({
    ...job,
    availability: { activationTime: '2027-02-30T10:00:00+01:00' },
  }));
  jobCase('wrong types in the signer list', '/signers/0', () => ({ ...job, signers: [7, 'signer'] }));
  jobCase('a document without a blob reference', '/documents/0/content', () => ({
    ...job,
    documents: [{ title: 'Contract', fileName: 'c.pdf', content: { sha256: 'abc' } }],
  }));
  jobCase('a forged resume state', '/resume/createUncertain', () => ({
    ...job,
    resume: { createUncertain: 'yes', pendingChanges: [{ status: 'DONE' }] },
  }));
  jobCase('a resume of null', '/resume', () => ({ ...job, resume: null }));
  pollerCase('null', '(input)', null);
  pollerCase('a drain size of 0', '/maxChangesPerDrain', { sender: '123456789', maxChangesPerDrain: 0 });
  pollerCase('a drain size given as a string', '/maxChangesPerDrain', {
    sender: '123456789',
    maxChangesPerDrain: '100',
  });
  pollerCase('a sender that is a national identity number', '/sender', { sender: NORWEGIAN_ID });
  pollerCase('forged carried counters', '/carried/polls', { sender: '123456789', carried: { polls: -1 } });
  unownedCase('null', '(input)', null);
  unownedCase('an unknown policy', '/policy', { sender: '123456789', signatureJobId: '1', policy: 'IGNORE' });
  unownedCase('a job id that is a path', '/signatureJobId', {
    sender: '123456789',
    signatureJobId: '../1',
    policy: 'HOLD',
  });
  unownedCase('forged carried state', '/resume/xades/0', {
    sender: '123456789',
    signatureJobId: '1',
    policy: 'HOLD',
    resume: {
      released: false,
      cancelled: false,
      changesReceived: 0,
      confirmed: 0,
      seenChangeKeys: [],
      xades: [7],
      pendingChanges: [],
    },
  });

  for (const c of cases) {
    it(`${c.type}: ${c.label} fails typed, non-retryable, at once, with no call to Posten`, async () => {
      const requestsBefore = bed.sim.model.stats.requests;
      const args = c.args.map((a) => (typeof a === 'function' ? (a as () => unknown)() : a));
      const failure = await refusedAtStart(bed.env.client, {
        workflowType: c.type,
        taskQueue: bed.taskQueue,
        workflowId: `hostile-${Math.random().toString(36).slice(2)}`,
        args,
        withinMs: 10_000,
      });
      assert.equal(failure.type, commonFailureTypes.invalidInput, failure.message);
      assert.ok(failure.message.includes(c.field), `${failure.message} names ${c.field}`);
      assert.ok(!failure.message.includes(NORWEGIAN_ID) && !failure.message.includes(SWEDISH_ID), 'no values');
      assert.equal(bed.sim.model.stats.requests, requestsBefore, 'nothing reached Posten');
    });
  }

  it('startFlow refuses a national identity number in the reference before anything is started', async () => {
    const requestsBefore = bed.sim.model.stats.requests;
    await assert.rejects(
      startFlow(bed.env.client, postenFlows['posten-signature-job'], { ...job, reference: NORWEGIAN_ID }),
      (e: unknown) =>
        e instanceof FlowStartError &&
        e.kind === 'invalid-input' &&
        e.problems.some((p) => p.path === '/reference') &&
        !e.message.includes(NORWEGIAN_ID),
    );
    assert.equal(bed.sim.model.stats.requests, requestsBefore);
  });

  it('a job workflow ignores and counts malformed status-change signals instead of failing its task', async () => {
    const handle = await bed.startJob(await bed.job('hostile-signals', [signerWithPin(82)]));
    const jobId = await bed.jobIdOf('hostile-signals');
    for (const arg of [null, 'change', { change: null }, { change: { signatureJobId: jobId, status: 'DONE' } }]) {
      await handle.signal(postenStatusChangeSignal, arg as never);
    }
    await bed.waitFor(
      'four ignored signals',
      async () => (await handle.query(postenJobProgressQuery)).ignoredSignals === 4,
    );
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    bed.sim.model.sign(jobId, 1);
    const result = (await handle.result()) as { status: string };
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY', 'the job goes on as if the bad signals never came');
  });
});
