import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ss12000SyncPassInput, StepOutcome } from '../../../src/contract/ss12000';
import { addPage, beginStep, passFailed, passResult } from '../../../workflows/ss12000/sync-pass-state';

const input: Ss12000SyncPassInput = {
  huvudman: 'hm-1',
  passNumber: 3,
  kind: 'webhook',
  steps: ['Person', 'Group', 'Deleted'],
  keptTypes: ['Person', 'Group'],
  since: {},
  pageLimit: 100,
};

describe('SS12000 sync pass state', () => {
  it('begins a step once (a resumed run keeps its outcome and start) and adds up page counts', () => {
    const outcomes: StepOutcome[] = [];
    const person = beginStep(outcomes, 0, 'Person', '2026-01-01T00:00:00.000Z');
    assert.equal(beginStep(outcomes, 0, 'Person', '2026-01-01T00:05:00.000Z'), person, 'resumed, not restarted');
    assert.equal(person.startedAt, '2026-01-01T00:00:00.000Z');
    assert.equal(addPage(person, { fetched: 100, stored: 98, invalid: 2, deleted: 0, nextPageToken: 't2' }), 't2');
    assert.equal(addPage(person, { fetched: 5, stored: 5, invalid: 0, deleted: 0 }), undefined);
    assert.deepEqual(
      { pages: person.pages, fetched: person.fetched, stored: person.stored, invalid: person.invalid },
      { pages: 2, fetched: 105, stored: 103, invalid: 2 },
    );
    assert.equal(passResult(input, outcomes, 'SUCCEEDED').outcome, 'SUCCEEDED');
  });

  it('a failed page fails its step, skips the later ones, and reports each to the huvudman', () => {
    const outcomes: StepOutcome[] = [];
    beginStep(outcomes, 0, 'Person', '2026-01-01T00:00:00.000Z').finishedAt = '2026-01-01T00:01:00.000Z';
    beginStep(outcomes, 1, 'Group', '2026-01-01T00:01:00.000Z');
    const error = { type: 'Ss12000ApiUnavailable', message: 'GET /groups: HTTP 503' };
    const { failed, reports, result } = passFailed(input, outcomes, 1, error, '2026-01-01T00:02:00.000Z');
    assert.equal(failed.step, 'Group');
    assert.deepEqual(
      result.steps.map((o) => o.status),
      ['SUCCEEDED', 'FAILED', 'SKIPPED'],
    );
    assert.equal(result.outcome, 'FAILED');
    assert.deepEqual(
      reports.map((r) => r.step),
      ['Group', 'Deleted'],
    );
    assert.match(reports[0].message, /could not fetch Group \(page 1\): GET \/groups: HTTP 503/);
    assert.match(reports[1].message, /did not fetch Deleted because fetching Group failed/);
  });
});
