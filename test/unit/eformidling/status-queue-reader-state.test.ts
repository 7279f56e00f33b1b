import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noteDrained, readerSettings, startTotals } from '../../../workflows/eformidling/status-queue-reader-state';

describe('eFormidling status-queue reader state (pure)', () => {
  it('adds each drain to the totals and waits only after an empty queue', () => {
    const totals = startTotals({});
    assert.equal(noteDrained(totals, { dispatched: 3, withoutWorkflow: 1, empty: false }), false);
    assert.equal(noteDrained(totals, { dispatched: 2, withoutWorkflow: 0, empty: true }), true);
    assert.deepEqual(totals, { dispatched: 5, withoutWorkflow: 1 });
  });

  it('continues from carried totals without mutating the input', () => {
    const input = { totals: { dispatched: 7, withoutWorkflow: 2 } };
    const totals = startTotals(input);
    noteDrained(totals, { dispatched: 1, withoutWorkflow: 0, empty: true });
    assert.deepEqual(totals, { dispatched: 8, withoutWorkflow: 2 });
    assert.deepEqual(input.totals, { dispatched: 7, withoutWorkflow: 2 });
  });

  it('defaults to a 10 second wait and batches of 100', () => {
    assert.deepEqual(readerSettings({}), { pollMs: 10_000, batchSize: 100 });
    assert.deepEqual(readerSettings({ pollInterval: '1 minute', batchSize: 5 }), { pollMs: 60_000, batchSize: 5 });
  });
});
