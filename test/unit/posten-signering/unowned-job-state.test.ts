import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobRef } from '../../../src/contract/blob-ref';
import type { PostenStatusChange, UnownedJobInput } from '../../../src/contract/posten-signering';
import {
  carriedUnownedState,
  decisionPending,
  downloadsFor,
  isDone,
  isHeld,
  mayCancel,
  modeOf,
  receiveChange,
  recordUnownedDownload,
  startUnownedRun,
  unownedResultOf,
  unownedStatus,
} from '../../../workflows/posten-signering/unowned-job-state';

const ref = (n: number): BlobRef => ({ sha256: String(n).repeat(64).slice(0, 64), size: n });
const base: UnownedJobInput = { sender: '123456789', signatureJobId: '42', policy: 'HOLD' };
const change = (extra: Partial<PostenStatusChange> = {}): PostenStatusChange => ({
  signatureJobId: '42',
  status: 'IN_PROGRESS',
  confirmationUrl: 'https://posten.test/42/complete',
  cancellationUrl: 'https://posten.test/42/cancel',
  signatures: [],
  receivedAt: 't',
  ...extra,
});

describe('posten unowned job state', () => {
  it('chooses the mode: late redelivery before duplicate before the policy', () => {
    assert.equal(modeOf({ ...base, ownedByClosedWorkflow: 'w', duplicateOf: { workflowId: 'w' } }), 'LATE_REDELIVERY');
    assert.equal(modeOf({ ...base, duplicateOf: { workflowId: 'w' } }), 'DUPLICATE');
    assert.equal(modeOf({ ...base, policy: 'ADOPT' }), 'ADOPT');
    assert.equal(modeOf(base), 'HOLD');
  });

  it('holds: stores a fresh change but does not confirm it; a redelivery asks for nothing new', () => {
    const run = startUnownedRun(base);
    assert.equal(unownedStatus(run), 'HELD');
    assert.deepEqual(receiveChange(run, change()), { store: true, cancel: false, confirm: false });
    assert.deepEqual(receiveChange(run, change({ receivedAt: 'later' })), {
      store: false,
      cancel: false,
      confirm: false,
    });
    assert.equal(run.s.changesReceived, 2);
    run.decision = 'CONFIRM';
    assert.equal(decisionPending(run), true);
    run.s.released = true;
    assert.equal(isHeld(run), false);
    assert.equal(unownedStatus(run), 'IN_PROGRESS');
  });

  it('a duplicate is cancelled once, while it runs; a late redelivery is confirmed and done', () => {
    const dup = startUnownedRun({ ...base, duplicateOf: { workflowId: 'w' } });
    assert.deepEqual(receiveChange(dup, change()), { store: true, cancel: true, confirm: true });
    assert.equal(mayCancel(dup, change()), true);
    dup.s.cancelled = true;
    assert.equal(mayCancel(dup, change()), false);
    const late = startUnownedRun({ ...base, ownedByClosedWorkflow: 'w' });
    assert.deepEqual(receiveChange(late, change()), { store: false, cancel: false, confirm: true });
    assert.equal(isDone(late), true);
  });

  it('records XAdES by position, a refused document as missing, and ends when released after a final status', () => {
    const run = startUnownedRun({ ...base, policy: 'ADOPT' });
    const done = change({
      status: 'COMPLETED_SUCCESSFULLY',
      padesUrl: 'https://x/pades',
      signatures: [
        { status: 'SIGNED', since: 't', xadesUrl: 'https://x/1' },
        { status: 'SIGNED', since: 't', xadesUrl: 'https://x/2' },
      ],
    });
    receiveChange(run, done);
    assert.deepEqual(
      downloadsFor(run, done).map((d) => d.document),
      [{ document: 'XADES', signerIndex: 0 }, { document: 'XADES', signerIndex: 1 }, { document: 'PADES' }],
    );
    recordUnownedDownload(run, { document: 'XADES', signerIndex: 1 }, ref(2));
    recordUnownedDownload(run, { document: 'XADES', signerIndex: 0 }, undefined);
    recordUnownedDownload(run, { document: 'PADES' }, undefined);
    assert.deepEqual(run.s.xades, [null, ref(2)]);
    assert.equal(isDone(run), false);
    run.s.released = true;
    assert.equal(isDone(run), true);
    const result = unownedResultOf(run, '42');
    assert.equal(result.decision, 'ADOPTED');
    assert.deepEqual(result.xades, [ref(2)]);
    assert.deepEqual(result.documentsMissing, [{ document: 'XADES', signerIndex: 0 }, { document: 'PADES' }]);
  });

  it('carries its state and unprocessed changes to the next run', () => {
    const run = startUnownedRun(base);
    receiveChange(run, change());
    run.queue.push(change({ status: 'FAILED' }));
    const next = startUnownedRun({ ...base, resume: carriedUnownedState(run) });
    assert.equal(next.queue.length, 1);
    assert.equal(next.s.changesReceived, 1);
    assert.equal(next.s.seenChangeKeys.length, 1);
  });
});
