import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobRef } from '../../../src/contract/blob-ref';
import type { PostenStatusChange } from '../../../src/contract/posten-signering';
import {
  adoptJob,
  adoptsUncertainCreate,
  applyChange,
  cancelDecision,
  carriedState,
  duplicateToCancel,
  GRACE_MS,
  initialJobState,
  isDuplicateJob,
  isRedelivery,
  jobFinished,
  matchSigner,
  needsCancel,
  operatorStatus,
  recordCancel,
  recordCreated,
  recordCreateUncertain,
  recordDownload,
  recordDuplicate,
  rememberChange,
  resultOf,
  settleChange,
  startJobState,
  type PostenJob,
} from '../../../workflows/posten-signering/signature-job-state';

const ref = (n: number): BlobRef => ({ sha256: String(n).repeat(64).slice(0, 64), size: n });
const NOW = Date.parse('2026-03-01T10:00:00Z');

function job(extra: Partial<PostenJob> = {}): PostenJob {
  return {
    sender: '123456789',
    reference: 'ref-1',
    title: 'Contract',
    documents: [{ title: 'Contract', fileName: 'c.pdf', content: ref(1) }],
    signers: [
      { personalIdentificationNumber: '01010100001', order: 0, notifications: { email: 'a@example.com' } },
      { order: 1, notifications: { email: 'b@example.com', mobile: '+4799999999' } },
    ],
    ...extra,
  };
}

function change(extra: Partial<PostenStatusChange> = {}): PostenStatusChange {
  return {
    signatureJobId: '42',
    reference: 'ref-1',
    status: 'IN_PROGRESS',
    confirmationUrl: 'https://posten.test/42/complete',
    cancellationUrl: 'https://posten.test/42/cancel',
    signatures: [],
    receivedAt: '2026-03-01T10:00:00Z',
    ...extra,
  };
}

function created() {
  const state = startJobState(job(), undefined, NOW);
  recordCreated(state, { signatureJobId: '42', cancellationUrl: 'https://posten.test/42/cancel', bundle: ref(9) });
  return state;
}

describe('posten signature job state: start and deadline', () => {
  it('starts validating, with one WAITING entry per signer and the deadline after every order group plus grace', () => {
    const state = startJobState(job({ availability: { availableSeconds: 3600 } }), undefined, NOW);
    assert.equal(state.phase, 'VALIDATING');
    assert.deepEqual(
      state.s.signers.map((s) => [s.index, s.order, s.status]),
      [
        [0, 0, 'WAITING'],
        [1, 1, 'WAITING'],
      ],
    );
    assert.equal(state.s.deadlineAt, NOW + 2 * 3600_000 + GRACE_MS);
  });

  it('counts the availability from a future activation time', () => {
    const at = '2026-03-10T10:00:00Z';
    const s = initialJobState(job({ availability: { activationTime: at, availableSeconds: 60 } }), NOW);
    assert.equal(s.deadlineAt, Date.parse(at) + 2 * 60_000 + GRACE_MS);
  });

  it('resumes with the carried pending changes first and the phase the carried state implies', () => {
    const before = created();
    before.queue.push(change());
    const carried = carriedState(before);
    const resumed = startJobState(job(), carried, NOW);
    assert.equal(resumed.phase, 'AWAITING_SIGNATURES');
    assert.equal(resumed.queue.length, 1);
    assert.deepEqual(resumed.s.pendingChanges, []);
    assert.deepEqual(resumed.s.documentsMissing, [], 'state carried by older runs gets an empty list');
    const uncertain = startJobState(job(), { ...initialJobState(job(), NOW), createUncertain: true }, NOW);
    assert.equal(uncertain.phase, 'CREATE_UNCERTAIN');
  });
});

describe('posten signature job state: status changes', () => {
  it('maps signers by identity, applies statuses and plans each XAdES once and the PAdES at the end', () => {
    const state = created();
    const signed = change({
      signatures: [
        { status: 'SIGNED', since: 't1', personalIdentificationNumber: '01010100001', xadesUrl: 'https://x/1' },
        { status: 'WAITING', since: 't0', email: 'b@example.com', mobile: '+4799999999' },
        { status: 'SIGNED', since: 't1', personalIdentificationNumber: '99999999999' },
      ],
    });
    const plan = applyChange(state, job(), signed);
    assert.equal(plan.unmatched, 1);
    assert.deepEqual(plan.downloads, [{ url: 'https://x/1', document: { document: 'XADES', signerIndex: 0 } }]);
    assert.equal(state.s.signers[0].status, 'SIGNED');
    recordDownload(state, { document: 'XADES', signerIndex: 0 }, ref(3));
    const done = change({
      status: 'COMPLETED_SUCCESSFULLY',
      padesUrl: 'https://x/pades',
      signatures: [
        { status: 'SIGNED', since: 't1', personalIdentificationNumber: '01010100001', xadesUrl: 'https://x/1' },
      ],
    });
    assert.deepEqual(applyChange(state, job(), done).downloads, [
      { url: 'https://x/pades', document: { document: 'PADES' } },
    ]);
  });

  it('keeps an unknown signer status as reported and says so', () => {
    const state = created();
    const plan = applyChange(
      state,
      job(),
      change({ signatures: [{ status: 'NEW_STATUS', since: 't', personalIdentificationNumber: '01010100001' }] }),
    );
    assert.deepEqual(plan.unknownStatuses, [{ signerIndex: 0, status: 'NEW_STATUS' }]);
    assert.equal(state.s.signers[0].status, 'NEW_STATUS');
  });

  it('matches a contact-identified signer by one of e-mail and mobile when Posten echoes only one', () => {
    assert.equal(matchSigner(job().signers, { status: 'SIGNED', since: 't', mobile: '+4799999999' }), 1);
    assert.equal(matchSigner(job().signers, { status: 'SIGNED', since: 't', email: 'nobody@example.com' }), undefined);
  });

  it('recognises a redelivery only after the change was confirmed, and keeps a bounded memory', () => {
    const state = created();
    const c = change();
    assert.equal(isRedelivery(state, c), false);
    rememberChange(state, c);
    assert.equal(isRedelivery(state, { ...c, receivedAt: 'later' }), true, 'receivedAt is not part of the key');
    for (let i = 0; i < 300; i++) rememberChange(state, change({ signatureJobId: String(i) }));
    assert.equal(state.s.seenChangeKeys.length, 200);
  });

  it('finishes only with a terminal status and nothing queued', () => {
    const state = created();
    settleChange(state, change({ status: 'COMPLETED_SUCCESSFULLY' }));
    assert.equal(jobFinished(state), true);
    state.queue.push(change());
    assert.equal(jobFinished(state), false);
  });
});

describe('posten signature job state: documents Posten refused', () => {
  it('a completed job with a refused PAdES is COMPLETED_DOCUMENTS_MISSING with the gap listed, never plain success', () => {
    const state = created();
    recordDownload(state, { document: 'XADES', signerIndex: 1 }, undefined);
    recordDownload(state, { document: 'PADES' }, undefined);
    recordDownload(state, { document: 'PADES' }, undefined);
    settleChange(state, change({ status: 'COMPLETED_SUCCESSFULLY' }));
    state.phase = 'FINISHED';
    const result = resultOf(state, true);
    assert.equal(result.status, 'COMPLETED_DOCUMENTS_MISSING');
    assert.deepEqual(result.documentsMissing, [{ document: 'XADES', signerIndex: 1 }, { document: 'PADES' }]);
    assert.equal(operatorStatus(state, true), 'COMPLETED_DOCUMENTS_MISSING');
    assert.equal(resultOf(state, false).status, 'COMPLETED_SUCCESSFULLY', 'runs recorded before the outcome existed');
  });

  it('a later successful download of the same document removes it from the missing list', () => {
    const state = created();
    recordDownload(state, { document: 'XADES', signerIndex: 0 }, undefined);
    recordDownload(state, { document: 'XADES', signerIndex: 0 }, ref(5));
    settleChange(state, change({ status: 'COMPLETED_SUCCESSFULLY' }));
    assert.deepEqual(resultOf(state, true).documentsMissing, []);
    assert.equal(resultOf(state, true).status, 'COMPLETED_SUCCESSFULLY');
    assert.deepEqual(resultOf(state, true).signers[0].xades, ref(5));
  });

  it('a FAILED job keeps its status and lists what is missing', () => {
    const state = created();
    recordDownload(state, { document: 'PADES' }, undefined);
    settleChange(state, change({ status: 'FAILED' }));
    assert.equal(resultOf(state, true).status, 'FAILED');
    assert.equal(resultOf(state, true).documentsMissing.length, 1);
  });
});

describe('posten signature job state: uncertain create, duplicates, cancel', () => {
  it('adopts the first change with its reference after an uncertain create; later other jobs are duplicates', () => {
    const state = startJobState(job(), undefined, NOW);
    recordCreateUncertain(state);
    assert.equal(adoptsUncertainCreate(state, job(), change({ reference: 'other' })), false);
    assert.equal(adoptsUncertainCreate(state, job(), change()), true);
    adoptJob(state, change());
    assert.equal(state.s.signatureJobId, '42');
    assert.equal(state.s.createUncertain, false);
    assert.equal(isDuplicateJob(state, change()), false);
    assert.equal(isDuplicateJob(state, change({ signatureJobId: '43' })), true);
  });

  it('cancels a running duplicate once and fetches its PAdES when it ends', () => {
    const state = created();
    const dup = change({ signatureJobId: '43' });
    assert.equal(duplicateToCancel(state, dup), true);
    recordDuplicate(state, dup, 'CANCELLED');
    assert.equal(duplicateToCancel(state, dup), false);
    const ended = recordDuplicate(
      state,
      change({ signatureJobId: '43', status: 'FAILED', padesUrl: 'https://x/p' }),
      undefined,
    );
    assert.equal(ended.fetchPades, true);
    assert.deepEqual(
      state.s.duplicateJobs.map((d) => [d.signatureJobId, d.outcome, d.status]),
      [['43', 'CANCELLED', 'FAILED']],
    );
  });

  it('decides a cancel: nothing to cancel before the create, too late after the end, else ask Posten', () => {
    const fresh = startJobState(job(), undefined, NOW);
    fresh.s.cancelRequested = true;
    assert.equal(needsCancel(fresh), true);
    assert.equal(cancelDecision(fresh), 'NOT_CREATED');
    assert.equal(needsCancel(fresh), false, 'tried once');
    const uncertain = startJobState(job(), undefined, NOW);
    recordCreateUncertain(uncertain);
    uncertain.s.cancelRequested = true;
    assert.equal(needsCancel(uncertain), false, 'waits until the uncertain job is known');
    const ended = created();
    settleChange(ended, change({ status: 'FAILED' }));
    assert.equal(cancelDecision(ended), 'ALREADY_FINISHED');
    const running = created();
    assert.equal(cancelDecision(running), 'CANCEL');
    recordCancel(running, 'CANCELLED');
    assert.equal(running.cancelOutcome, 'CANCELLATION_REQUESTED');
    assert.equal(resultOf(running, true).cancelledBySender, true);
  });
});
