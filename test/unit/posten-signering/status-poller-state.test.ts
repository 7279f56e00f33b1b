import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  initialPollerState,
  nextPollerInput,
  queueName,
  recordDrain,
} from '../../../workflows/posten-signering/status-poller-state';

describe('posten status poller state', () => {
  it('starts from zero, or from the carried counters with one more run', () => {
    assert.deepEqual(initialPollerState({ sender: '123456789' }), {
      sender: '123456789',
      pollingQueue: undefined,
      polls: 0,
      changesDispatched: 0,
      changesToUnowned: 0,
      runs: 1,
    });
    const carried = { polls: 7, changesDispatched: 3, changesToUnowned: 1, runs: 4 };
    const state = initialPollerState({ sender: '123456789', pollingQueue: 'q-a', carried });
    assert.equal(state.runs, 5);
    assert.equal(state.polls, 7);
    assert.equal(queueName({ sender: '123456789' }), 'default');
    assert.equal(queueName({ sender: '123456789', pollingQueue: 'q-a' }), 'q-a');
  });

  it('adds a drain to the counters and waits until the permitted poll time, never a negative time', () => {
    const state = initialPollerState({ sender: '123456789' });
    const now = Date.parse('2026-03-01T10:00:00Z');
    const wait = recordDrain(
      state,
      { nextPollAt: now + 600_000, outcome: 'EMPTY', polls: 3, dispatched: 2, toUnowned: 1 },
      now,
    );
    assert.equal(wait, 600_000);
    assert.deepEqual([state.polls, state.changesDispatched, state.changesToUnowned], [3, 2, 1]);
    assert.equal(state.lastOutcome, 'EMPTY');
    assert.equal(state.nextPollAt, '2026-03-01T10:10:00.000Z');
    assert.equal(
      recordDrain(state, { nextPollAt: now - 5, outcome: 'BATCH_LIMIT', polls: 1, dispatched: 100, toUnowned: 0 }, now),
      0,
    );
    assert.equal(state.changesDispatched, 102);
  });

  it('hands the counters to the next run and keeps the queue and drain size', () => {
    const input = { sender: '123456789', pollingQueue: 'q-b', maxChangesPerDrain: 10 };
    const state = initialPollerState(input);
    recordDrain(state, { nextPollAt: 0, outcome: 'EMPTY', polls: 2, dispatched: 1, toUnowned: 0 }, 0);
    assert.deepEqual(nextPollerInput(input, state), {
      ...input,
      carried: { polls: 2, changesDispatched: 1, changesToUnowned: 0, runs: 1 },
    });
  });
});
