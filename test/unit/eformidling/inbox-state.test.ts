import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INBOX_REMEMBERED, type InboxInput } from '../../../src/contract/eformidling';
import {
  enterPhase,
  inboxContinuation,
  inboxPollMs,
  isRedelivery,
  noteAcknowledged,
  noteDuplicate,
  noteHandedOver,
  startInbox,
} from '../../../workflows/eformidling/inbox-state';

const input: InboxInput = {
  inboxName: 'main',
  consumer: { kind: 'child', workflowType: 'eformidlingStoreIncoming' },
  pollInterval: '2 seconds',
};

describe('eFormidling inbox state (pure)', () => {
  it('hands a messageId over once and recognises its redelivery', () => {
    const run = startInbox(input);
    assert.equal(isRedelivery(run, 'm1'), false);
    noteHandedOver(run, 'm1', true);
    assert.equal(isRedelivery(run, 'm1'), true);
    noteDuplicate(run);
    noteHandedOver(run, 'm2', false); // the consumer's workflow ID existed: counted as a duplicate
    noteAcknowledged(run, true);
    noteAcknowledged(run, false);
    assert.deepEqual(run.state.totals, { handed: 1, duplicatesDropped: 2, lockRenewals: 1 });
  });

  it('keeps the phase and the message in hand for the query, and forgets the message when peeking again', () => {
    const run = startInbox(input);
    enterPhase(run, 'handing-over', 'm1');
    assert.equal(run.state.current, 'm1');
    enterPhase(run, 'acknowledging');
    assert.equal(run.state.current, 'm1');
    enterPhase(run, 'peeking');
    assert.equal(run.state.current, undefined);
    assert.equal(run.state.phase, 'peeking');
  });

  it('remembers at most INBOX_REMEMBERED messageIds and carries them and the totals to the next run', () => {
    const run = startInbox(input);
    for (let i = 0; i < INBOX_REMEMBERED + 10; i++) noteHandedOver(run, `m${i}`, true);
    assert.equal(run.handed.length, INBOX_REMEMBERED);
    assert.equal(isRedelivery(run, 'm0'), false, 'the oldest were forgotten');
    const next = inboxContinuation(input, run);
    assert.equal(next.handedRecently?.length, INBOX_REMEMBERED);
    assert.equal(next.totals?.handed, INBOX_REMEMBERED + 10);
    const resumed = startInbox(next);
    assert.equal(isRedelivery(resumed, `m${INBOX_REMEMBERED + 9}`), true);
    assert.equal(resumed.state.recentlyHanded, INBOX_REMEMBERED);
  });

  it('uses the poll interval given, else 30 seconds', () => {
    assert.equal(inboxPollMs(input), 2000);
    assert.equal(inboxPollMs({ ...input, pollInterval: undefined }), 30_000);
  });
});
