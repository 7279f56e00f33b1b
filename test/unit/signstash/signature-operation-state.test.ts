import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SignatureOperationInput, SignatureOperationPolicy } from '../../../src/contract/signstash';
import * as op from '../../../workflows/signstash/signature-operation-state';

const policy: SignatureOperationPolicy = {
  onInstanceLost: 'restart',
  instanceLostAfterMs: 10_000,
  maxRestarts: 2,
  operationTimeoutMs: 60_000,
  startRetryIntervalMs: 1000,
  firstPollDelayMs: 500,
  maxPollDelayMs: 4000,
  maxPollsPerRun: 3,
};
const manifest = { sha256: 'a'.repeat(64), size: 10 };
const input: SignatureOperationInput = {
  clientServiceId: 'svc',
  externalReference: 'ref-1',
  description: 'd',
  documents: [
    {
      externalReference: 'd1',
      name: 'a.pdf',
      contentType: 'application/pdf',
      content: { base64: 'JVBERg==' },
      signatureType: 'PAdES',
    },
  ],
};

/** A state that has been prepared and accepted at t=1000 on instance 10.0.0.1:8081. */
function acceptedState(overrides: Partial<SignatureOperationPolicy> = {}): op.OperationState {
  const state = op.initialState(input);
  op.prepared(state, manifest, { ...policy, ...overrides });
  op.accepted(state, 'ref-1', { operationId: 'op-1', host: '10.0.0.1', port: 8081, status: 'PENDING_EXECUTION' }, 1000);
  return state;
}

describe("Sign'Stash signature operation state (pure transitions, no server)", () => {
  it('starts fresh with the document count, and from a carried resume with its counters and placement', () => {
    const fresh = op.initialState(input);
    assert.equal(fresh.resumed, false);
    assert.equal(fresh.view.phase, 'validating');
    assert.equal(fresh.view.documentCount, 1);

    const carried = op.resumeState(acceptedState());
    const resumed = op.initialState({ ...input, documents: [], resume: { ...carried, statusChecks: 7 } });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.view.phase, 'polling');
    assert.equal(resumed.view.statusChecks, 7);
    assert.equal(resumed.placement?.operationId, 'op-1');
    assert.equal(op.resumedStatus(resumed), 'PENDING_EXECUTION');
  });

  it('on acceptance keeps the placement as data and waits at least the server’s Retry-After', () => {
    const state = op.initialState(input);
    op.prepared(state, manifest, policy);
    const status = op.accepted(
      state,
      'ref-1',
      { operationId: 'op-1', host: 'h', port: 1, status: 'PENDING_EXECUTION', retryAfterMs: 2000 },
      5,
    );
    assert.equal(status, 'PENDING_EXECUTION');
    assert.deepEqual(state.placement, {
      externalReference: 'ref-1',
      operationId: 'op-1',
      host: 'h',
      port: 1,
      acceptedAtMs: 5,
    });
    assert.equal(state.nextDelayMs, 2000);
    assert.equal(state.view.phase, 'polling');
  });

  it('times out after the operation timeout and hands over to a new run after maxPollsPerRun checks', () => {
    const state = acceptedState();
    assert.equal(op.beforeCheck(state, 2000, false), 'check');
    assert.equal(op.beforeCheck(state, 2000, true), 'continue-as-new', 'the server suggested it');
    for (let i = 0; i < 3; i++) op.checking(state);
    assert.equal(op.beforeCheck(state, 2000, false), 'continue-as-new');
    assert.equal(op.beforeCheck(state, 1000 + 60_001, false), 'timed-out');
    assert.equal(state.view.phase, 'failed');
  });

  it('backs off by half again per pending answer, honouring Retry-After and the maximum', () => {
    const state = acceptedState();
    assert.equal(state.nextDelayMs, 500);
    op.answered(state, { kind: 'status', status: 'PENDING_EXECUTION', documentCount: 1 }, 2000);
    assert.equal(state.nextDelayMs, 750);
    op.answered(state, { kind: 'status', status: 'PENDING_EXECUTION', documentCount: 1, retryAfterMs: 3000 }, 3000);
    assert.equal(state.nextDelayMs, 3000);
    op.answered(state, { kind: 'status', status: 'PENDING_EXECUTION', documentCount: 1 }, 4000);
    assert.equal(state.nextDelayMs, 4000, 'capped at maxPollDelayMs');
  });

  it('asks for the result on a final status only', () => {
    const state = acceptedState();
    assert.deepEqual(op.statusChecked(state, { kind: 'status', status: 'PENDING_EXECUTION', documentCount: 1 }), {
      fetch: false,
    });
    assert.deepEqual(
      op.statusChecked(state, { kind: 'status', status: 'EXECUTED', documentCount: 1, signedCount: 1 }),
      { fetch: true, status: 'EXECUTED' },
    );
    assert.equal(state.view.phase, 'fetching-result');
    assert.equal(state.view.signedCount, 1);
  });

  it('keeps the instance-gone clock: waits within the limit, never past it, then reports the loss', () => {
    const state = acceptedState();
    const first = op.answered(state, { kind: 'gone', reason: 'unreachable' }, 2000);
    assert.deepEqual(first, { kind: 'wait', status: 'INSTANCE_UNREACHABLE' });
    assert.equal(state.view.goneSinceMs, 2000);
    state.nextDelayMs = 100_000;
    op.answered(state, { kind: 'gone', reason: 'unreachable' }, 9000);
    assert.equal(state.nextDelayMs, 3000, 'the next check comes exactly when the instance would count as lost');
    const lost = op.answered(state, { kind: 'gone', reason: 'unknown-operation' }, 12_000);
    assert.equal(lost.kind, 'lost');
    assert.deepEqual(lost.kind === 'lost' && lost.loss, {
      externalReference: 'ref-1',
      operationId: 'op-1',
      host: '10.0.0.1',
      port: 8081,
      reason: 'unknown-operation',
      goneForMs: 10_000,
    });
  });

  it('clears the clock when the instance answers again and shows the last known status', () => {
    const state = acceptedState();
    op.answered(state, { kind: 'gone', reason: 'unhealthy' }, 2000);
    const back = op.answered(state, { kind: 'pending' }, 3000);
    assert.deepEqual(back, { kind: 'wait', status: 'PENDING_EXECUTION' });
    assert.equal(state.view.goneSinceMs, undefined);
    assert.equal(state.view.phase, 'polling');
  });

  it('restarts under derived references until the restarts are used up; `fail` fails at once', () => {
    const state = acceptedState();
    const loss = {
      externalReference: 'ref-1',
      operationId: 'op-1',
      host: 'h',
      port: 1,
      reason: 'unreachable' as const,
      goneForMs: 1,
    };
    assert.deepEqual(op.instanceLost(state, loss, 'ref-1'), { kind: 'restart', externalReference: 'ref-1-R2' });
    assert.deepEqual(op.instanceLost(state, loss, 'ref-1'), { kind: 'restart', externalReference: 'ref-1-R3' });
    assert.equal(state.view.restarts, 2);
    assert.deepEqual(op.instanceLost(state, loss, 'ref-1'), { kind: 'exhausted' });
    assert.equal(state.view.phase, 'failed');

    const failing = acceptedState({ onInstanceLost: 'fail' });
    assert.deepEqual(op.instanceLost(failing, loss, 'ref-1'), { kind: 'fail' });
    assert.equal(failing.restarts.length, 0);
  });

  it('carries everything a continued run needs, and nothing else', () => {
    const state = acceptedState();
    op.checking(state);
    op.answered(state, { kind: 'gone', reason: 'unreachable' }, 2000);
    const resume = op.resumeState(state);
    assert.deepEqual(Object.keys(resume).sort(), [
      'documentCount',
      'goneReason',
      'goneSinceMs',
      'manifest',
      'nextPollDelayMs',
      'placement',
      'policy',
      'restarts',
      'status',
      'statusChecks',
    ]);
    assert.equal(resume.statusChecks, 1);
    assert.equal(op.resumedStatus(op.initialState({ ...input, documents: [], resume })), 'INSTANCE_UNREACHABLE');
  });

  it('completes EXECUTED/EXECUTION_ERROR with counts, and fails EXECUTION_FAILED', () => {
    const documents = [
      { index: 0, externalReference: 'd1', signStatus: 'SIGNED' as const, signed: manifest },
      { index: 1, externalReference: 'd2', signStatus: 'ERROR_SIGNING' as const, signError: 'TIMESTAMP_SIGN_ERROR' },
    ];
    const done = op.finished(acceptedState(), { kind: 'result', status: 'EXECUTION_ERROR', documents }, 'ref-1');
    assert.equal(done.kind, 'completed');
    if (done.kind === 'completed') {
      assert.equal(done.result.signedCount, 1);
      assert.equal(done.result.errorCount, 1);
      assert.equal(done.result.requestedReference, 'ref-1');
      assert.equal(done.result.instanceLoss.behaviour, 'restart');
    }
    const state = acceptedState();
    assert.deepEqual(op.finished(state, { kind: 'result', status: 'EXECUTION_FAILED', documents: [] }, 'ref-1'), {
      kind: 'failed',
    });
    assert.equal(state.view.phase, 'failed');
  });
});
