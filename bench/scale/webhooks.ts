import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { projectDir } from '../../src/config/ferje-config';
import { eformidlingWorkflowTypes, messageWorkflowId, statusHintSignal } from '../../src/contract/eformidling';
import { testKeyEnv } from '../../test/harness/keys';
import { freePort, mapLimit, percentile } from './server';
import { round } from './worker';

/** Nobody polls this queue: the target runs exist and take signals, but no worker reacts to them. */
const PARKED_QUEUE = 'ferje-scale-bench-parked';
const TOKEN = 'scale-bench-webhook-token-0123456789abcdef';

export interface WebhookResult {
  webhooks: number;
  webhookSignalP50Ms: number;
  webhookSignalP99Ms: number;
  webhookSignalMaxMs: number;
  webhookNon200: number;
  webhookSignalsRecorded: number;
  /** The same burst as plain client signals, no ingress: what the Temporal server alone takes on this machine. */
  directSignalP50Ms: number;
  directSignalP99Ms: number;
}

/**
 * `concurrent` eFormidling status webhooks at once through the production ingress (`ferje ingress`, its own process,
 * as deployed) and the real eFormidling route, each to its own running message workflow. Latency is from sending the request to the 200, which the ingress answers only
 * once Temporal holds the signal (the webhook → durable signal path); how soon a worker then reacts is the
 * integration's business. Afterwards every target's history must show its one signal.
 */
export async function runWebhooks(
  client: Client,
  address: string,
  dataDir: string,
  concurrent: number,
): Promise<WebhookResult> {
  const env = { EFORMIDLING_WEBHOOK_TOKEN: TOKEN, TEMPORAL_ADDRESS: address, FERJE_DATA_DIR: dataDir };
  const port = await freePort();
  const cli = path.join(projectDir, 'dist', 'src', 'cli', 'main.js');
  const ingress = spawn(process.execPath, [cli, 'ingress'], {
    env: {
      ...(process.env as Record<string, string>),
      ...testKeyEnv(),
      ...env,
      NODE_ENV: 'production',
      FERJE_INGRESS_PORT: String(port),
      FERJE_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    const live = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    if (tries > 600 || ingress.exitCode !== null) throw new Error('the ingress did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    const warmUp = 20;
    const messageIds = Array.from({ length: 2 * concurrent + warmUp }, () => randomUUID());
    await mapLimit(messageIds, 16, (messageId) =>
      client.workflow.start(eformidlingWorkflowTypes.outgoingMessage, {
        workflowId: messageWorkflowId(messageId),
        taskQueue: PARKED_QUEUE,
        args: [{ messageId }],
      }),
    );
    const send = async (messageId: string): Promise<{ ms: number; status: number }> => {
      const started = performance.now();
      const res = await fetch(`${url}/webhooks/eformidling/${TOKEN}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'status', direction: 'OUTGOING', messageId, status: 'LEVERT' }),
      });
      await res.arrayBuffer();
      return { ms: performance.now() - started, status: res.status };
    };
    // Warm-up: as many keep-alive connections as the burst will use (a webhook sender keeps its connections), the
    // ingress's code paths and its Temporal channel; then all at once.
    await Promise.all(
      Array.from({ length: concurrent }, () => fetch(`${url}/health/live`).then((r) => r.arrayBuffer())),
    );
    for (const id of messageIds.slice(0, warmUp)) await send(id);
    const measured = messageIds.slice(warmUp, warmUp + concurrent);
    const results = await Promise.all(measured.map(send));
    const direct = await Promise.all(
      messageIds.slice(warmUp + concurrent).map(async (messageId) => {
        const started = performance.now();
        await client.workflow
          .getHandle(messageWorkflowId(messageId))
          .signal(statusHintSignal, { status: 'LEVERT', source: 'webhook' });
        return performance.now() - started;
      }),
    );
    direct.sort((a, b) => a - b);
    const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
    const recorded = await mapLimit(measured, 8, async (id) => {
      const history = await client.workflow.getHandle(messageWorkflowId(id)).fetchHistory();
      return history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length ?? 0;
    });
    await mapLimit(messageIds, 16, (id) =>
      client.workflow.getHandle(messageWorkflowId(id)).terminate('scale bench finished'),
    );
    return {
      webhooks: concurrent,
      webhookSignalP50Ms: round(percentile(sorted, 50)),
      webhookSignalP99Ms: round(percentile(sorted, 99)),
      webhookSignalMaxMs: round(sorted[sorted.length - 1] ?? 0),
      webhookNon200: results.filter((r) => r.status !== 200).length,
      webhookSignalsRecorded: recorded.filter((n) => n === 1).length,
      directSignalP50Ms: round(percentile(direct, 50)),
      directSignalP99Ms: round(percentile(direct, 99)),
    };
  } finally {
    const exited = new Promise((r) => ingress.once('exit', r));
    ingress.kill('SIGTERM');
    await exited;
  }
}
