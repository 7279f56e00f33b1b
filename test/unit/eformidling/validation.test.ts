import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  validateInboxInput,
  validateIncomingHint,
  validateOutgoingWorkflowInput,
  validateStatusHint,
  validateStatusQueueReaderInput,
} from '../../../src/contract/eformidling';

const first = { nowMs: Date.parse('2030-01-01T00:00:00Z'), continued: false };
const continued = { ...first, continued: true };
const paths = (problems: { path: string }[]): string[] => problems.map((p) => p.path);

describe('eFormidling validators (pure)', () => {
  it('accept carried state only in a run the workflow continued itself, and check its shape there', () => {
    const inbox = {
      inboxName: 'main',
      consumer: { kind: 'child', workflowType: 'eformidlingStoreIncoming' },
      handedRecently: ['a'],
      totals: { handed: 1, duplicatesDropped: 0, lockRenewals: 0 },
    };
    assert.deepEqual(paths(validateInboxInput(inbox, first)), ['/handedRecently', '/totals']);
    assert.deepEqual(validateInboxInput(inbox, continued), []);
    assert.deepEqual(paths(validateInboxInput({ ...inbox, totals: { handed: -1 } }, continued)), [
      '/totals/handed',
      '/totals/duplicatesDropped',
      '/totals/lockRenewals',
    ]);
    const reader = { totals: { dispatched: 1, withoutWorkflow: 2 } };
    assert.deepEqual(paths(validateStatusQueueReaderInput(reader, first)), ['/totals']);
    assert.deepEqual(validateStatusQueueReaderInput(reader, continued), []);
  });

  it('refuse a malformed continuation even in a continued run', () => {
    const problems = validateOutgoingWorkflowInput({ continuation: { statuses: [{ status: 'X' }] } }, continued);
    for (const p of [
      '/continuation/serviceIdentifier',
      '/continuation/sendMode',
      '/continuation/statuses/0',
      '/continuation/deadline',
      '/continuation/pollIntervalMs',
    ])
      assert.ok(paths(problems).includes(p), p);
  });

  it('bound intervals and sizes: no 0 seconds, no unparsable durations, no drain of 0', () => {
    assert.deepEqual(paths(validateStatusQueueReaderInput({ batchSize: 0, pollInterval: '0 seconds' }, first)), [
      '/pollInterval',
      '/batchSize',
    ]);
    assert.deepEqual(paths(validateStatusQueueReaderInput({ batchSize: 1001, pollInterval: 'x' }, first)), [
      '/pollInterval',
      '/batchSize',
    ]);
    assert.deepEqual(validateStatusQueueReaderInput({ batchSize: 1000, pollInterval: '100 ms' }, first), []);
  });

  it('check signal arguments: a status hint needs a known status and source; an incoming hint is a small object', () => {
    assert.deepEqual(validateStatusHint({ status: 'LEVERT', source: 'webhook' }), []);
    assert.deepEqual(paths(validateStatusHint({ status: 'DONE', source: 'mail', id: -1, at: 'yesterday' })), [
      '/status',
      '/source',
      '/id',
      '/at',
    ]);
    assert.deepEqual(paths(validateStatusHint(null)), ['']);
    assert.deepEqual(validateIncomingHint({ messageId: 'm', status: 'INNKOMMENDE_MOTTATT' }), []);
    assert.deepEqual(paths(validateIncomingHint({ messageId: 42 })), ['/messageId']);
  });
});
