import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { describeWorkflow } from '../../../src/client/describe';
import type { InboxInput, InboxState } from '../../../src/contract/eformidling';
import { inboxStateQuery } from '../../../src/contract/eformidling';
import { evaluateReadiness } from '../../../src/http/readiness';
import { closeServer, listen } from '../../../src/http/server-utils';
import { createLogger } from '../../../src/logging/logger';
import { loadEformidlingConfig, storeAndRecordConsumer } from '../../../src/modules/eformidling/config';
import { eformidlingModule, subscriptionHealth } from '../../../src/modules/eformidling/module';
import { tellInboxes } from '../../../src/modules/eformidling/subscription-health';
import type { eformidlingInbox } from '../../../workflows';
import { arkivmeldingXml, control, startRig, type EformidlingTestRig } from './harness';

/**
 * The IP pings a new subscription's push endpoint synchronously and refuses the subscription (400
 * `WebhookPushEndpointPingFailedException`) when the ping gets a 4xx/5xx answer — here a gateway's 404 in front of a
 * wrongly configured ingress URL. Ferje's worker start must say so (log, `/health/ready` warning, the inbox's
 * details) and the inbox must keep collecting messages by polling.
 */
describe('eFormidling: a webhook subscription refused by the IP is reported, polling goes on', () => {
  let rig: EformidlingTestRig;
  let gateway: Server;
  const lines: string[] = [];
  before(async () => {
    gateway = createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    });
    const port = await listen(gateway, '127.0.0.1', 0);
    rig = await startRig({
      env: {
        EFORMIDLING_WEBHOOK_TOKEN: randomBytes(24).toString('base64url'),
        FERJE_INGRESS_PUBLIC_URL: `http://127.0.0.1:${port}/wrong-prefix`,
      },
    });
    rig.ctx.logger = createLogger('test', 'INFO', (line) => lines.push(line));
  });
  after(async () => {
    await rig.stop();
    await closeServer(gateway);
  });

  it('worker start: a clear log line and a /health/ready warning; no subscription at the IP', async () => {
    await eformidlingModule.bootstrap?.(rig.ctx);
    const warning = lines.find((l) => l.includes('webhook subscription refused'));
    assert.ok(warning, `a warning in the log: ${lines.join('\n')}`);
    assert.match(warning, /WebhookPushEndpointPingFailedException/);
    assert.ok(
      !lines.some((l) => l.includes('/webhooks/eformidling/')),
      'the endpoint (with its token) is never logged',
    );

    const readiness = await evaluateReadiness(eformidlingModule.readinessChecks?.(rig.ctx) ?? []);
    assert.equal(readiness.status, 'ready', 'polling covers: still ready');
    assert.equal(readiness.warnings?.[0]?.name, 'eformidling webhooks');
    assert.match(readiness.warnings[0].reason, /refused.*WebhookPushEndpointPingFailedException.*polled/);

    const subs = await control<{ subscriptions: unknown[]; stats: { pingsRefused: number } }>(rig, 'GET', '/state');
    assert.deepEqual(subs.subscriptions, []);
    assert.equal(subs.stats.pingsRefused, 1);
  });

  it('the inbox shows the refusal in its details (ferje describe) and still collects by polling', async () => {
    const name = `ping-${randomUUID().slice(0, 8)}`;
    const conversationId = randomUUID();
    const input: InboxInput = {
      inboxName: name,
      filter: { conversationId },
      consumer: storeAndRecordConsumer,
      pollInterval: '500 ms',
    };
    const handle = await rig.env.client.workflow.start<typeof eformidlingInbox>('eformidlingInbox', {
      workflowId: `eformidling-inbox/${name}`,
      taskQueue: rig.taskQueue,
      args: [input],
    });
    const status = subscriptionHealth(rig.ctx).status;
    assert.equal(status?.state, 'refused');
    const config = {
      ...loadEformidlingConfig(rig.ctx.env, rig.ctx.config),
      inboxes: [{ name, filter: { conversationId }, consumer: input.consumer, pollInterval: input.pollInterval }],
    };
    await tellInboxes(rig.env.client, config, status, rig.ctx.logger);

    await control(rig, 'POST', '/incoming', {
      conversationId,
      files: [
        { name: 'arkivmelding.xml', text: arkivmeldingXml('svar.pdf') },
        { name: 'svar.pdf', size: 1000 },
      ],
    });
    const deadline = Date.now() + 30_000;
    let state = await handle.query<InboxState>(inboxStateQuery);
    while (state.totals.handed < 1) {
      assert.ok(Date.now() < deadline, 'the inbox never collected the message');
      await sleep(200);
      state = await handle.query<InboxState>(inboxStateQuery);
    }
    assert.equal(state.webhooks?.state, 'refused');
    const report = await describeWorkflow(rig.env.client, handle.workflowId);
    assert.match(report.currentDetails ?? '', /Webhooks: \*\*refused by the IP\*\*/);
    assert.match(report.currentDetails ?? '', /polls every poll interval instead/);
    await handle.terminate('test done');
  });
});
