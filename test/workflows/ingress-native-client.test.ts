import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import { eformidlingWorkflowTypes, messageWorkflowId, statusHintSignal } from '../../src/contract/eformidling';
import { startIngress } from '../../src/ingress/server';
import { connectIngressClient } from '../../src/ingress/temporal-client';
import { createLogger } from '../../src/logging/logger';
import { eformidlingWebhookRoute } from '../../src/modules/eformidling/ingress-route';
import type { EformidlingConfig } from '../../src/modules/eformidling/config';
import { testKeyEnv, testKeyRing } from '../harness/keys';
import { freePort } from '../harness/ports';
import { spawnTs, type ChildHandle } from '../harness/processes';
import { StallableTcpProxy } from '../harness/tcp-proxy';
import { getTestEnv } from '../harness/temporal';

const TOKEN = 'native-client-test-token-0123456789abcdef';
/** No worker polls it: the message workflows exist and take signals, nobody reacts. */
const PARKED_QUEUE = 'ferje-ingress-native-parked';

/**
 * The ingress talks to Temporal over the SDK's native connection (the Rust core's gRPC client) rather than the
 * gRPC-JS one, because the JS client's per-call CPU was most of the ingress's cost under a burst of webhooks
 * (docs/cost-and-scale.md). What must not change with it: 2xx only once Temporal holds the signal, payloads
 * encrypted by Ferje's codec, a status for an unknown message accepted (the native client's not-found is still
 * recognised), 503 with Retry-After when Temporal does not answer, and a clean exit on SIGTERM.
 */
describe('the ingress over the native Temporal client (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let ingress: ChildHandle;
  let url: string;

  const startParked = async (): Promise<string> => {
    const messageId = randomUUID();
    await env.client.workflow.start(eformidlingWorkflowTypes.outgoingMessage, {
      workflowId: messageWorkflowId(messageId),
      taskQueue: PARKED_QUEUE,
      args: [{ messageId }],
    });
    return messageId;
  };
  const statusWebhook = (base: string, messageId: string): Promise<Response> =>
    fetch(`${base}/webhooks/eformidling/${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'status', direction: 'OUTGOING', messageId, status: 'LEVERT' }),
    });

  before(async () => {
    env = await getTestEnv();
    const port = await freePort();
    // The production command, as deployed: its own process, configured from the environment.
    ingress = spawnTs('src/cli/main.ts', ['ingress'], {
      ...process.env,
      ...testKeyEnv(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      EFORMIDLING_WEBHOOK_TOKEN: TOKEN,
      FERJE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ferje-ingress-native-')),
      FERJE_INGRESS_HOST: '127.0.0.1',
      FERJE_INGRESS_PORT: String(port),
      FERJE_LOG_LEVEL: 'INFO',
    });
    await ingress.waitFor(/ingress listening/, 90_000);
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    if (ingress.child.exitCode === null) {
      ingress.child.kill('SIGKILL');
      await ingress.exited;
    }
  });

  it('answers 200 only once Temporal holds the signal, its payload encrypted by the codec', async () => {
    const messageId = await startParked();
    const res = await statusWebhook(url, messageId);
    assert.equal(res.status, 200, ingress.output().slice(-2000));
    // Read at once, no waiting: the 200 came after the server had recorded the signal.
    const history = await env.client.workflow.getHandle(messageWorkflowId(messageId)).fetchHistory();
    const signals = (history.events ?? []).flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes] : [],
    );
    assert.equal(signals.length, 1);
    assert.equal(signals[0].signalName, statusHintSignal.name);
    const payload = signals[0].input?.payloads?.[0];
    assert.equal(Buffer.from(payload?.metadata?.[METADATA_ENCODING_KEY] ?? []).toString(), ENCRYPTED_ENCODING);
    assert.ok(
      !Buffer.from(payload?.data ?? [])
        .toString('latin1')
        .includes('LEVERT'),
      'no plain text in history',
    );
  });

  it('accepts a status for a message Ferje never sent, with a log line (not-found over the native client)', async () => {
    const res = await statusWebhook(url, randomUUID());
    assert.equal(res.status, 200);
    await ingress.waitFor(/signal target not running/, 10_000);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    ingress.child.kill('SIGTERM');
    assert.equal(await ingress.exited, 0, ingress.output().slice(-2000));
  });

  it('answers 503 with Retry-After when Temporal stops answering, so the sender retries', async () => {
    const proxy = await StallableTcpProxy.start({ targetPort: Number(env.address.split(':').pop()) });
    const temporal = await connectIngressClient({
      env: { TEMPORAL_NAMESPACE: 'default' },
      keyRing: testKeyRing(),
      address: `127.0.0.1:${proxy.port}`,
    });
    const config = { webhookToken: TOKEN, inboxes: [] } as unknown as EformidlingConfig;
    const lonely = await startIngress({
      client: temporal.client,
      routes: [eformidlingWebhookRoute(() => config)],
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024,
      logger: createLogger('ingress', 'ERROR', () => undefined),
      temporalDeadlineMs: 2000,
    });
    try {
      const messageId = await startParked();
      assert.equal((await statusWebhook(lonely.url, messageId)).status, 200, 'through the proxy while it delivers');
      proxy.stall();
      const res = await statusWebhook(lonely.url, await startParked());
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
    } finally {
      proxy.resume();
      await lonely.close();
      await temporal.close();
      await proxy.close();
    }
  });
});
