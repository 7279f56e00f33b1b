import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { InboxInput, InboxState, StoredIncoming } from '../../../src/contract/eformidling';
import { inboxStateQuery } from '../../../src/contract/eformidling';
import type { eformidlingInbox } from '../../../workflows';
import { recordHistory } from '../../harness/histories';
import { arkivmeldingXml, control, startRig, type EformidlingTestRig, type MessageView } from './harness';

describe('eFormidling incoming inbox (real dev server + simulator)', () => {
  let rig: EformidlingTestRig;
  before(async () => {
    rig = await startRig({ settings: { lockTimeoutMs: 1000 } });
  });
  after(async () => {
    await rig.stop();
  });

  const startInbox = async (extra: Partial<InboxInput> = {}): Promise<string> => {
    const inboxName = `t-${randomUUID().slice(0, 8)}`;
    const input: InboxInput = {
      inboxName,
      consumer: { kind: 'child', workflowType: 'eformidlingStoreIncoming' },
      pollInterval: '300 ms',
      ...extra,
    };
    await rig.env.client.workflow.start<typeof eformidlingInbox>('eformidlingInbox', {
      workflowId: `eformidling-inbox/${inboxName}`,
      taskQueue: rig.taskQueue,
      args: [input],
    });
    return `eformidling-inbox/${inboxName}`;
  };
  const stopInbox = (id: string) => rig.env.client.workflow.getHandle(id).terminate('test done');
  const inject = (body: Record<string, unknown>) =>
    control<{ messageId: string; queued: boolean }>(rig, 'POST', '/incoming', body);
  const files = [
    { name: 'arkivmelding.xml', text: arkivmeldingXml('svar.pdf') },
    { name: 'svar.pdf', size: 300_000 },
  ];
  const consumerResult = async (workflowId: string): Promise<StoredIncoming> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return (await rig.env.client.workflow.getHandle(workflowId).result()) as StoredIncoming;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  };
  const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const journalLines = (messageId: string): number =>
    readFileSync(path.join(rig.dataDir, 'eformidling', 'received.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes(messageId)).length;

  it('peeks, pops into the blob store, hands to the consumer, then deletes', async () => {
    const inbox = await startInbox();
    const { messageId } = await inject({ files });
    const stored = await consumerResult(`eformidling-incoming/${messageId}`);
    assert.deepEqual(
      stored.documents.map((d) => d.name),
      ['arkivmelding.xml', 'svar.pdf'],
    );
    assert.equal(stored.documents[1].size, 300_000);
    assert.ok(stored.asic && (await rig.blobStore.has(stored.asic)));
    assert.ok(await rig.blobStore.has(stored.sbdBlob));
    assert.equal(stored.alreadyRecorded, false);
    await waitFor(
      'delete',
      async () => !(await control<MessageView & { inbox: boolean }>(rig, 'GET', `/messages/${messageId}`)).inbox,
    );
    const view = await control<MessageView>(rig, 'GET', `/messages/${messageId}`);
    assert.deepEqual(view.conversations[0].statuses, ['OPPRETTET', 'INNKOMMENDE_MOTTATT', 'INNKOMMENDE_LEVERT']);
    assert.equal(journalLines(messageId), 1);
    await recordHistory(rig.env.client, `eformidling-incoming/${messageId}`, 'eformidling-store-incoming');
    await recordHistory(rig.env.client, inbox, 'eformidling-inbox-main');
    await stopInbox(inbox);
  });

  it('recovers when the lock expires during processing (pop and delete re-lock), handing over once', async () => {
    const inbox = await startInbox();
    const before = await control<{ stats: { notLockedRejections: number } }>(rig, 'GET', '/state');
    await control(rig, 'POST', '/faults', { method: 'GET', path: '^/api/messages/in/pop/', latencyMs: 1500, count: 1 });
    await control(rig, 'POST', '/faults', { method: 'DELETE', path: '^/api/messages/in/', latencyMs: 1500, count: 1 });
    const { messageId } = await inject({ files });
    const stored = await consumerResult(`eformidling-incoming/${messageId}`);
    assert.equal(stored.messageId, messageId);
    await waitFor(
      'delete',
      async () => !(await control<{ inbox: boolean }>(rig, 'GET', `/messages/${messageId}`)).inbox,
    );
    const afterState = await control<{ stats: { notLockedRejections: number } }>(rig, 'GET', '/state');
    assert.ok(
      afterState.stats.notLockedRejections - before.stats.notLockedRejections >= 2,
      'pop and delete met an expired lock',
    );
    const state = await rig.env.client.workflow.getHandle(inbox).query<InboxState>(inboxStateQuery);
    assert.equal(state.totals.handed, 1);
    assert.ok(state.totals.lockRenewals >= 1);
    assert.equal(journalLines(messageId), 1);
    await recordHistory(rig.env.client, inbox, 'eformidling-inbox-lock-expired');
    await stopInbox(inbox);
  });

  it('does not hand a redelivered messageId to the consumer a second time', async () => {
    const inbox = await startInbox();
    const { messageId } = await inject({ files });
    await consumerResult(`eformidling-incoming/${messageId}`);
    await waitFor(
      'delete',
      async () => !(await control<{ inbox: boolean }>(rig, 'GET', `/messages/${messageId}`)).inbox,
    );
    // Transport redelivers the same message after it was deleted: the IP queues it again.
    const again = await inject({ messageId, files });
    assert.equal(again.queued, true);
    await waitFor(
      'second delete',
      async () => !(await control<{ inbox: boolean }>(rig, 'GET', `/messages/${messageId}`)).inbox,
    );
    const state = await rig.env.client.workflow.getHandle(inbox).query<InboxState>(inboxStateQuery);
    assert.equal(state.totals.handed, 1);
    assert.equal(state.totals.duplicatesDropped, 1);
    assert.equal(journalLines(messageId), 1);
    const consumers = [];
    for await (const wf of rig.env.client.workflow.list({ query: `WorkflowId = 'eformidling-incoming/${messageId}'` }))
      consumers.push(wf);
    assert.equal(consumers.length, 1);
    await recordHistory(rig.env.client, inbox, 'eformidling-inbox-duplicate');
    await stopInbox(inbox);
  });

  it('hands over by signal-with-start to a caller workflow type, and receipts without payload too', async () => {
    const inbox = await startInbox({
      consumer: {
        kind: 'signalWithStart',
        workflowType: 'eformidlingStoreIncoming',
        taskQueue: rig.taskQueue,
        signal: 'eformidlingIncomingDelivery',
        workflowIdPrefix: 'eformidling-sws-test',
      },
    });
    const { messageId } = await inject({
      documentType: 'arkivmelding_kvittering',
      businessMessage: { receiptType: 'OK' },
    });
    const stored = await consumerResult(`eformidling-sws-test/${messageId}`);
    assert.equal(stored.asic, undefined, 'receipts have no ASiC (204 on pop)');
    assert.equal(stored.documentType, 'arkivmelding_kvittering');
    await waitFor(
      'delete',
      async () => !(await control<{ inbox: boolean }>(rig, 'GET', `/messages/${messageId}`)).inbox,
    );
    await recordHistory(rig.env.client, inbox, 'eformidling-inbox-signal-with-start');
    await stopInbox(inbox);
  });
});
