import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ss12000SyncPassResult } from '../../../src/contract/ss12000';
import {
  afterRenewalAttempt,
  applyPassResult,
  initialState,
  keptTypesAndSteps,
  nextAction,
  queueSafetyPassIfDue,
  queueWebhook,
  registered,
  registrationRetryWait,
  rejectWebhook,
  renewalDueAt,
  renewed,
  resolveOptions,
  sinceFor,
  startPass,
  statusOf,
} from '../../../workflows/ss12000/subscription-state';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const options = resolveOptions({ webhookQuietSeconds: 10 });

function subscribedState() {
  const state = initialState('hm-1');
  registered(state, { id: 'sub-1', target: 'https://ferje/x', expires: iso(T0 + 90 * 86_400_000) }, ['Person'], T0);
  return state;
}

describe('SS12000 subscription state', () => {
  it('keeps the fixed sync order whatever order the input names types in', () => {
    assert.deepEqual(keptTypesAndSteps(['Activity', 'Person']), {
      kept: ['Person', 'Activity'],
      steps: ['Person', 'Activity', 'Deleted'],
    });
  });

  it('registration queues a full pass of the kept types and is SUBSCRIBED', () => {
    const state = subscribedState();
    assert.equal(state.registration.status, 'SUBSCRIBED');
    assert.equal(state.subscription?.since, iso(T0));
    assert.deepEqual(state.pending, { steps: ['Person'], kind: 'full', firstAt: iso(T0) });
    assert.deepEqual(nextAction(state, options, T0), { kind: 'pass', quietUntil: 0 });
  });

  it('coalesces webhooks for types already pending, counts them, and ignores types not kept', () => {
    const state = subscribedState();
    startPass(state);
    queueWebhook(state, { modifiedTypes: ['Person'], deleted: false, receivedAt: iso(T0) }, ['Person']);
    queueWebhook(state, { modifiedTypes: ['Person', 'Group'], deleted: false, receivedAt: iso(T0 + 1) }, ['Person']);
    queueWebhook(state, { modifiedTypes: [], deleted: true, receivedAt: iso(T0 + 2) }, ['Person']);
    assert.deepEqual(state.pending.steps, ['Person', 'Deleted']);
    assert.equal(state.webhooksReceived, 3);
    assert.equal(state.webhooksCoalesced, 1);
    // A webhook pass waits the quiet time after its first webhook.
    assert.deepEqual(nextAction(state, options, T0 + 5), { kind: 'pass', quietUntil: T0 + 10_000 });
    rejectWebhook(state);
    assert.equal(state.webhooksRejected, 1);
  });

  it('a failed pass keeps the failed steps pending with a doubling retry wait; success advances watermarks', () => {
    const state = subscribedState();
    const pass = startPass(state);
    const failed: Ss12000SyncPassResult = {
      huvudman: 'hm-1',
      passNumber: pass.passNumber,
      kind: pass.kind,
      outcome: 'FAILED',
      steps: [{ step: 'Person', status: 'FAILED', pages: 0, fetched: 0, stored: 0, invalid: 0, deleted: 0 }],
    };
    applyPassResult(state, failed, options, T0);
    assert.equal(state.retryAt, iso(T0 + 5 * 60_000));
    assert.deepEqual(state.pending.steps, ['Person']);
    assert.equal(statusOf('WAITING', state), 'RETRY_WAIT');
    assert.equal(nextAction(state, options, T0 + 1).kind, 'wait');
    startPass(state);
    applyPassResult(state, failed, options, T0);
    assert.equal(state.retryAt, iso(T0 + 10 * 60_000), 'the wait doubles');
    startPass(state);
    applyPassResult(
      state,
      {
        ...failed,
        outcome: 'SUCCEEDED',
        kind: 'retry',
        steps: [{ ...failed.steps[0], status: 'SUCCEEDED', startedAt: iso(T0 + 42) }],
      },
      options,
      T0 + 100,
    );
    assert.equal(state.types.Person?.watermark, iso(T0 + 42));
    assert.equal(state.consecutiveFailures, 0);
    assert.equal(statusOf('WAITING', state), 'CURRENT');
    assert.deepEqual(sinceFor(state, ['Person', 'Group'], 300), { Person: iso(T0 + 42 - 300_000) });
  });

  it('renews before expiry, backs off an hour after a failed renewal, and never renews back to back', () => {
    const state = subscribedState();
    const expires = T0 + 90 * 86_400_000;
    assert.equal(renewalDueAt(state, options), expires - 168 * 3_600_000);
    afterRenewalAttempt(state, false, expires - 1);
    assert.equal(renewalDueAt(state, options), expires - 1 + 3_600_000);
    // A huvudman that grants one day while the margin is a week: renew halfway, not in a tight loop.
    renewed(state, iso(T0 + 86_400_000), T0);
    afterRenewalAttempt(state, true, T0);
    assert.equal(renewalDueAt(state, options), T0 + 43_200_000);
    assert.equal(state.renewals, 1);
    assert.deepEqual(nextAction(state, options, T0 + 43_200_000), { kind: 'renew' });
  });

  it('queues a safety pass of every step only when nothing is pending and it is due', () => {
    const state = subscribedState();
    startPass(state);
    queueSafetyPassIfDue(state, ['Person', 'Deleted'], T0 + 1000, T0);
    assert.deepEqual(state.pending.steps, []);
    queueSafetyPassIfDue(state, ['Person', 'Deleted'], T0 + 1000, T0 + 1000);
    assert.deepEqual(state.pending, { steps: ['Person', 'Deleted'], kind: 'safety', firstAt: iso(T0 + 1000) });
  });

  it('retries registration only for unavailability, with growing waits, within the budget', () => {
    assert.equal(registrationRetryWait(1, 'Ss12000ApiUnavailable', T0, T0 + 3_600_000), 10_000);
    assert.equal(registrationRetryWait(3, 'Timeout', T0, T0 + 3_600_000), 40_000);
    assert.equal(registrationRetryWait(20, 'Ss12000TokenUnavailable', T0, T0 + 86_400_000), 30 * 60_000);
    assert.equal(registrationRetryWait(1, 'Ss12000Unauthorized', T0, T0 + 3_600_000), undefined, 'a refusal fails');
    assert.equal(registrationRetryWait(1, 'FerjeRejectedByPartner', T0, T0 + 3_600_000), undefined);
    assert.equal(registrationRetryWait(4, 'Ss12000ApiUnavailable', T0, T0 + 60_000), undefined, 'budget spent');
  });
});
