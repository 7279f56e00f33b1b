import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/config/env';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import { consumerWorkflowId, validateInboxInput, type IncomingConsumer } from '../../../src/contract/eformidling';
import { loadEformidlingConfig } from '../../../src/modules/eformidling/config';

const first = { nowMs: Date.parse('2030-01-01T00:00:00Z'), continued: false };
const delivery = {
  messageId: 'a1b2c3d4-0000-4000-8000-000000000001',
  conversationId: 'c0ffee00-0000-4000-8000-00000000000c',
};

/** Who reads an incoming message through the documents API: the consumer's caller, on the consumer's flow. */
describe('incoming message consumer and its caller', () => {
  it('names the consumer flow the inbox records as the holder, before that flow exists', () => {
    const child: IncomingConsumer = { kind: 'child', workflowType: 'eformidlingStoreIncoming' };
    assert.equal(consumerWorkflowId(child, delivery), `eformidling-incoming/${delivery.messageId}`);
    assert.equal(
      consumerWorkflowId({ ...child, workflowIdPrefix: 'arkiv-inn' }, delivery),
      `arkiv-inn/${delivery.messageId}`,
    );
    const signal: IncomingConsumer = {
      kind: 'signalWithStart',
      workflowType: 'caseIncoming',
      taskQueue: 'case',
      signal: 'delivery',
      workflowIdPrefix: 'case-incoming',
    };
    assert.equal(consumerWorkflowId(signal, delivery), `case-incoming/${delivery.messageId}`);
    assert.equal(
      consumerWorkflowId({ ...signal, keyBy: 'conversationId' }, delivery),
      `case-incoming/${delivery.conversationId}`,
    );
    assert.equal(
      consumerWorkflowId({ ...signal, keyBy: 'conversationId' }, { messageId: delivery.messageId }),
      `case-incoming/${delivery.messageId}`,
      'no conversationId: keyed by messageId',
    );
  });

  it('accepts a caller id on the consumer and refuses anything else there', () => {
    const inbox = (callerId: unknown) => ({
      inboxName: 'default',
      consumer: { kind: 'child', workflowType: 'eformidlingStoreIncoming', callerId },
    });
    assert.deepEqual(validateInboxInput(inbox('archive'), first), []);
    assert.deepEqual(validateInboxInput({ ...inbox(undefined) }, first), []);
    for (const bad of ['Archive', '', 'a b', '13097248022x'.repeat(10), 42, null, ['archive']]) {
      const problems = validateInboxInput(inbox(bad), first);
      assert.deepEqual(
        problems.map((p) => p.path),
        ['/consumer/callerId'],
        String(bad),
      );
      assert.ok(!problems[0].problem.includes(String(bad)) || bad === '', 'the value is never echoed');
    }
  });

  it('EFORMIDLING_INBOX_CALLER names the default consumer’s caller, checked at start-up', () => {
    const ferje = loadFerjeConfig({ FERJE_DATA_DIR: '/tmp/ferje-unit' });
    const config = (env: Record<string, string>) =>
      loadEformidlingConfig({ EFORMIDLING_INBOX_ENABLED: 'true', ...env }, ferje);
    assert.equal(config({ EFORMIDLING_INBOX_CALLER: 'archive' }).inboxes[0].consumer.callerId, 'archive');
    assert.equal(config({}).inboxes[0].consumer.callerId, undefined);
    assert.throws(() => config({ EFORMIDLING_INBOX_CALLER: 'The Archive' }), ConfigError);
  });
});
