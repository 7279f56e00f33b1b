import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { eformidlingOutgoingMessage } from '../../../workflows';
import { startIngress, type RunningIngress } from '../../../src/ingress/server';
import { ensureSubscription } from '../../../src/modules/eformidling/bootstrap';
import { EformidlingClient } from '../../../src/integrations/eformidling/client';
import { PingFailedError } from '../../../src/integrations/eformidling/errors';
import { loadEformidlingConfig, type EformidlingConfig } from '../../../src/modules/eformidling/config';
import { eformidlingWebhookRoute } from '../../../src/modules/eformidling/ingress-route';
import { createLogger } from '../../../src/logging/logger';
import { recordHistory } from '../../harness/histories';
import { arkivmelding, control, startRig, type EformidlingTestRig } from './harness';
import { waitUntil } from '../../harness/processes';
import { messageStateQuery, statusHintSignal } from '../../../src/contract/eformidling';

describe('eFormidling webhooks: the fast path in front of polling', () => {
  let rig: EformidlingTestRig;
  let ingress: RunningIngress;
  let config: EformidlingConfig;
  const logLines: string[] = [];
  const token = randomBytes(24).toString('base64url');

  before(async () => {
    rig = await startRig({ env: { EFORMIDLING_WEBHOOK_TOKEN: token } });
    ingress = await startIngress({
      client: rig.env.client,
      routes: [eformidlingWebhookRoute(() => config)],
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024 * 1024,
      logger: createLogger('ingress', 'DEBUG', (l) => logLines.push(l)),
    });
    config = {
      ...loadEformidlingConfig(rig.ctx.env, rig.ctx.config),
      webhookPushEndpoint: `${ingress.url}/webhooks/eformidling/${token}`,
    };
  });
  after(async () => {
    await ingress.close();
    await rig.stop();
  });

  it('bootstrap creates one subscription and keeps it on the next start', async () => {
    const ip = new EformidlingClient({ baseUrl: rig.sim.url });
    assert.equal(await ensureSubscription(ip, config), 'created');
    assert.equal(await ensureSubscription(ip, config), 'kept');
    // The IP pings a changed endpoint (WebhookPusher.ping): an endpoint whose token the ingress does not know gets a
    // 404 there, so the IP refuses the update. A real rotation changes the ingress's token too.
    const newToken = 'x'.repeat(40);
    const rotated = {
      ...config,
      webhookToken: newToken,
      webhookPushEndpoint: `${ingress.url}/webhooks/eformidling/${newToken}`,
    };
    await assert.rejects(ensureSubscription(ip, rotated), (err: unknown) => err instanceof PingFailedError);
    const original = config;
    config = rotated;
    assert.equal(await ensureSubscription(ip, rotated), 'updated');
    config = original;
    assert.equal(await ensureSubscription(ip, config), 'updated');
    const subs = await ip.listSubscriptions();
    assert.equal(subs.filter((s) => s.name === 'ferje').length, 1);
    await ip.close();
  });

  it('settles from webhook signals long before the (1 hour) poll would', async () => {
    const input = await arkivmelding(rig, { tracking: { pollInitialInterval: '1 hour', pollMaxInterval: '1 hour' } });
    const started = Date.now();
    const result = await rig.env.client.workflow.execute<typeof eformidlingOutgoingMessage>(
      'eformidlingOutgoingMessage',
      {
        workflowId: `eformidling-message/${input.messageId}`,
        taskQueue: rig.taskQueue,
        args: [input],
      },
    );
    assert.equal(result.finalStatus, 'LEVERT');
    assert.ok(Date.now() - started < 30_000);
    assert.deepEqual(
      result.statuses.map((s) => s.status),
      ['OPPRETTET', 'SENDT', 'MOTTATT', 'LEVERT'],
    );
    const history = await rig.env.client.workflow.getHandle(`eformidling-message/${input.messageId}`).fetchHistory();
    const signals = history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length ?? 0;
    assert.ok(signals >= 2, `webhook signals arrived (${signals})`);
    // Settled on the IP's record (the confirming poll), not on the webhook's word: every status has the IP's id.
    assert.ok(result.statuses.every((s) => s.source === 'poll' && typeof s.id === 'number'));
    await recordHistory(rig.env.client, `eformidling-message/${input.messageId}`, 'eformidling-outgoing-webhook-first');
  });

  it('a forged LEVERT or FEIL webhook (with the path token) does not settle a message the IP still has in progress', async () => {
    // 920000005: the simulator keeps the message at SENDT. Polling is hourly: only hints and confirmations poll.
    const input = await arkivmelding(rig, {
      receiver: { kind: 'organisation', organisationNumber: '920000005' },
      tracking: { pollInitialInterval: '1 hour', pollMaxInterval: '1 hour' },
    });
    const handle = await rig.env.client.workflow.start<typeof eformidlingOutgoingMessage>(
      'eformidlingOutgoingMessage',
      {
        workflowId: `eformidling-message/${input.messageId}`,
        taskQueue: rig.taskQueue,
        args: [input],
      },
    );
    const snapshot = () => handle.query(messageStateQuery);
    await waitUntil(async () => (await snapshot()).phase === 'tracking', 30_000, 'tracking');
    const post = (status: string) =>
      fetch(`${ingress.url}/webhooks/eformidling/${token}`, {
        method: 'POST',
        body: JSON.stringify({ event: 'status', direction: 'OUTGOING', messageId: input.messageId, status }),
      });
    for (const [forged, refuted] of [
      ['LEVERT', 1],
      ['FEIL', 2],
    ] as const) {
      assert.equal((await post(forged)).status, 200);
      await waitUntil(async () => (await snapshot()).refutedHints === refuted, 30_000, `${forged} refuted`);
      const state = await snapshot();
      assert.equal(state.phase, 'tracking');
      assert.ok(!state.statuses.some((s) => s.status === forged), `${forged} is not in the history`);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
    }
    // A malformed signal is ignored and counted, never thrown.
    await handle.signal(statusHintSignal, { status: 'NOT-A-STATUS', source: 'webhook' } as never);
    await waitUntil(async () => (await snapshot()).ignoredSignals === 1, 30_000, 'bad signal counted');
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    await handle.terminate('test done');
  });

  it('refuses a wrong token with 404, answers pings, and never logs the token', async () => {
    const post = (t: string, body: unknown) =>
      fetch(`${ingress.url}/webhooks/eformidling/${t}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal((await post('wrong'.repeat(8), { event: 'ping' })).status, 404);
    assert.equal((await post(token, { event: 'ping', createdTs: new Date().toISOString() })).status, 200);
    assert.equal((await post(token, { event: 'status', messageId: 'not-a-uuid', status: 'LEVERT' })).status, 400);
    // A status for a message Ferje did not send is accepted and dropped (the IP does not retry anyway).
    const unknown = await post(token, {
      event: 'status',
      direction: 'OUTGOING',
      messageId: crypto.randomUUID(),
      status: 'SENDT',
    });
    assert.equal(unknown.status, 200);
    assert.ok(!logLines.join('\n').includes(token));
    const state = await control<{ stats: { webhooksSent: number } }>(rig, 'GET', '/state');
    assert.ok(state.stats.webhooksSent >= 1);
  });
});
