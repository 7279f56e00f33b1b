import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { InboxInput, InboxState, StoredIncoming } from '../../../src/contract/eformidling';
import { inboxStateQuery, incomingHintSignal } from '../../../src/contract/eformidling';
import { startIngress, type RunningIngress } from '../../../src/ingress/server';
import { ensureSubscription } from '../../../src/modules/eformidling/bootstrap';
import { EformidlingClient } from '../../../src/integrations/eformidling/client';
import {
  loadEformidlingConfig,
  storeAndRecordConsumer,
  type EformidlingConfig,
} from '../../../src/modules/eformidling/config';
import { eformidlingWebhookRoute } from '../../../src/modules/eformidling/ingress-route';
import { createLogger } from '../../../src/logging/logger';
import type { eformidlingInbox } from '../../../workflows';
import { recordHistory } from '../../harness/histories';
import { arkivmeldingXml, control, startRig, type EformidlingTestRig, type MessageView } from './harness';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * The IP's `status` webhook for INCOMING messages (INNKOMMENDE_MOTTATT) is a hint that wakes the inbox before its
 * next peek. Everything here is real: dev server, simulator (which POSTs its webhooks over loopback), Ferje's ingress
 * with the eFormidling route, and the subscription created by the production bootstrap.
 */
describe('eFormidling webhooks for incoming messages: a hint that wakes the inbox', () => {
  let rig: EformidlingTestRig;
  let ingress: RunningIngress;
  let config: EformidlingConfig;
  const token = randomBytes(24).toString('base64url');

  before(async () => {
    rig = await startRig({ env: { EFORMIDLING_WEBHOOK_TOKEN: token } });
    ingress = await startIngress({
      client: rig.env.client,
      routes: [eformidlingWebhookRoute(() => config)],
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024 * 1024,
      logger: createLogger('ingress', 'ERROR'),
    });
    config = {
      ...loadEformidlingConfig(rig.ctx.env, rig.ctx.config),
      webhookPushEndpoint: `${ingress.url}/webhooks/eformidling/${token}`,
    };
    const ip = new EformidlingClient({ baseUrl: rig.sim.url });
    assert.equal(await ensureSubscription(ip, config), 'created');
    await ip.close();
  });
  after(async () => {
    await ingress.close();
    await rig.stop();
  });

  /**
   * Configures one inbox (the route hints the configured inbox) and starts its workflow as the bootstrap would. Its
   * peek filter is one conversation, so a sub-test sees only its own message even if another left one behind.
   */
  const startInbox = async (pollInterval: string, conversationId: string): Promise<string> => {
    const name = `wh-${randomUUID().slice(0, 8)}`;
    const filter = { conversationId };
    config = { ...config, inboxes: [{ name, filter, consumer: storeAndRecordConsumer, pollInterval }] };
    const input: InboxInput = { inboxName: name, filter, consumer: storeAndRecordConsumer, pollInterval };
    await rig.env.client.workflow.start<typeof eformidlingInbox>('eformidlingInbox', {
      workflowId: `eformidling-inbox/${name}`,
      taskQueue: rig.taskQueue,
      args: [input],
    });
    return `eformidling-inbox/${name}`;
  };
  const stopInbox = (id: string) => rig.env.client.workflow.getHandle(id).terminate('test done');
  const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  /** The first peek found the inbox empty: from here on only a hint (or the poll interval) makes it peek again. */
  const waitUntilWaiting = (inbox: string) =>
    waitFor('the inbox to wait', async () => {
      const state = await rig.env.client.workflow.getHandle(inbox).query<InboxState>(inboxStateQuery);
      return state.phase === 'waiting';
    });
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
  const inject = (conversationId: string) =>
    control<{ messageId: string; queued: boolean }>(rig, 'POST', '/incoming', {
      conversationId,
      files: [
        { name: 'arkivmelding.xml', text: arkivmeldingXml('svar.pdf') },
        { name: 'svar.pdf', size: 200_000 },
      ],
    });
  const inIpInbox = async (messageId: string): Promise<boolean> =>
    (await control<{ inbox: boolean }>(rig, 'GET', `/messages/${messageId}`)).inbox;
  const events = async (workflowId: string): Promise<HistoryEvent[]> =>
    (await rig.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const hints = (history: HistoryEvent[]) =>
    history.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === incomingHintSignal.name);
  const scheduled = (history: HistoryEvent[], activity: string): number[] =>
    history.flatMap((e, i) => (e.activityTaskScheduledEventAttributes?.activityType?.name === activity ? [i] : []));
  const journalLines = (messageId: string): number =>
    readFileSync(path.join(rig.dataDir, 'eformidling', 'received.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes(messageId)).length;
  const webhooksSent = async () =>
    (await control<{ stats: { webhooksSent: number } }>(rig, 'GET', '/state')).stats.webhooksSent;
  const setDropWebhooks = (dropWebhooks: boolean) => control(rig, 'PUT', '/settings', { dropWebhooks });

  it('a webhook wakes an inbox that would otherwise sleep for an hour: stored, handed over, then deleted', async () => {
    const conversationId = randomUUID();
    const inbox = await startInbox('1 hour', conversationId);
    try {
      await waitUntilWaiting(inbox);
      const { messageId } = await inject(conversationId);
      const stored = await consumerResult(`eformidling-incoming/${messageId}`);
      assert.equal(stored.messageId, messageId);
      assert.deepEqual(
        stored.documents.map((d) => [d.name, d.size]),
        [
          ['arkivmelding.xml', Buffer.byteLength(arkivmeldingXml('svar.pdf'))],
          ['svar.pdf', 200_000],
        ],
      );
      assert.equal(stored.alreadyRecorded, false);
      assert.ok(stored.asic && (await rig.blobStore.has(stored.asic)), 'the ASiC is in the blob store');
      assert.ok(await rig.blobStore.has(stored.sbdBlob), 'the SBD is in the blob store');
      assert.equal(journalLines(messageId), 1);
      await waitFor('the delete at the IP', async () => !(await inIpInbox(messageId)));
      const view = await control<MessageView>(rig, 'GET', `/messages/${messageId}`);
      assert.deepEqual(view.conversations[0].statuses, ['OPPRETTET', 'INNKOMMENDE_MOTTATT', 'INNKOMMENDE_LEVERT']);

      // Back to waiting: the history below ends at a quiet point.
      await waitUntilWaiting(inbox);
      // The hint woke it, not the poll: one hint signal, and the hour-long wait never fired.
      const history = await events(inbox);
      const hint = hints(history);
      assert.equal(hint.length, 1, 'one webhook hint reached the inbox');
      assert.equal(history.filter((e) => e.timerFiredEventAttributes).length, 0, 'the poll timer never fired');
      // Order in the inbox's own history: hint → pop into the blob store → consumer started → DELETE at the IP.
      const hintAt = history.indexOf(hint[0]);
      const [, popAt] = scheduled(history, 'eformidlingReceiveNext');
      const poppedAt = history.findIndex(
        (e, i) =>
          i > popAt && e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === String(popAt + 1),
      );
      const childAt = history.findIndex((e) => e.childWorkflowExecutionStartedEventAttributes);
      const [deleteAt] = scheduled(history, 'eformidlingAcknowledgeIncoming');
      assert.ok(hintAt < popAt, 'peeked again because of the hint');
      assert.ok(popAt < poppedAt && poppedAt < childAt && childAt < deleteAt, 'deleted only after stored and handed');
      const state = await rig.env.client.workflow.getHandle(inbox).query<InboxState>(inboxStateQuery);
      assert.equal(state.totals.handed, 1);
      await recordHistory(rig.env.client, inbox, 'eformidling-inbox-webhook-hint');
    } finally {
      await stopInbox(inbox);
    }
  });

  it('a webhook with a wrong path token gets 404 and does not wake the inbox', async () => {
    const conversationId = randomUUID();
    const inbox = await startInbox('1 hour', conversationId);
    await waitUntilWaiting(inbox);
    await setDropWebhooks(true);
    try {
      const { messageId } = await inject(conversationId);
      const event = {
        createdTs: new Date().toISOString(),
        resource: 'messages',
        event: 'status',
        messageId,
        conversationId,
        direction: 'INCOMING',
        serviceIdentifier: 'DPO',
        status: 'INNKOMMENDE_MOTTATT',
      };
      const post = (t: string) =>
        fetch(`${ingress.url}/webhooks/eformidling/${t}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
        });
      // Same length as the real token (the constant-time comparison runs), and a short one.
      assert.equal((await post(randomBytes(24).toString('base64url'))).status, 404);
      assert.equal((await post('guess')).status, 404);
      // The ingress answers only after Temporal took the signal, so after the 404s nothing can still be on its way.
      const history = await events(inbox);
      assert.equal(hints(history).length, 0, 'no hint signal');
      assert.equal(scheduled(history, 'eformidlingReceiveNext').length, 1, 'no second peek');
      const state = await rig.env.client.workflow.getHandle(inbox).query<InboxState>(inboxStateQuery);
      assert.equal(state.phase, 'waiting');
      assert.equal(state.totals.handed, 0);
      assert.equal(await inIpInbox(messageId), true, 'the message is still waiting at the IP');

      // The same event with the right token wakes it: the token was the only thing missing.
      assert.equal((await post(token)).status, 200);
      assert.equal((await consumerResult(`eformidling-incoming/${messageId}`)).messageId, messageId);
      await waitFor('the delete at the IP', async () => !(await inIpInbox(messageId)));
      assert.equal(hints(await events(inbox)).length, 1);
    } finally {
      await setDropWebhooks(false);
      await stopInbox(inbox);
    }
  });

  it('a lost webhook costs only latency: the regular peek collects the message', async () => {
    const conversationId = randomUUID();
    const inbox = await startInbox('1 second', conversationId);
    await waitUntilWaiting(inbox);
    await setDropWebhooks(true);
    try {
      const before = await webhooksSent();
      const { messageId } = await inject(conversationId);
      const stored = await consumerResult(`eformidling-incoming/${messageId}`);
      assert.equal(stored.messageId, messageId);
      assert.ok(stored.asic && (await rig.blobStore.has(stored.asic)));
      await waitFor('the delete at the IP', async () => !(await inIpInbox(messageId)));
      assert.equal(journalLines(messageId), 1);
      const history = await events(inbox);
      assert.equal(hints(history).length, 0, 'no webhook reached the inbox');
      assert.ok(
        history.some((e) => e.timerFiredEventAttributes),
        'the poll interval elapsed',
      );
      assert.equal(await webhooksSent(), before, 'the simulator sent no webhook');
      const state = await rig.env.client.workflow.getHandle(inbox).query<InboxState>(inboxStateQuery);
      assert.equal(state.totals.handed, 1);
    } finally {
      await setDropWebhooks(false);
      await stopInbox(inbox);
    }
  });
});
