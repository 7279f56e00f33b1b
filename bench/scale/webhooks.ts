import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { projectDir } from '../../src/config/ferje-config';
import { eformidlingWorkflowTypes, messageWorkflowId, statusHintSignal } from '../../src/contract/eformidling';
import { testKeyEnv } from '../../test/harness/keys';
import { processCpuSeconds } from '../common/proc';
import { freePort, mapLimit, percentile, type BenchServer } from './server';
import { round } from './worker';
import { statusKb } from '../common/proc';

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
  /** Which Temporal server answered (`SCALE_SERVER`): `dev` (CLI dev server in memory) or `cluster` (production). */
  webhookServer: string;
  /**
   * CPU milliseconds (user + system, all threads) per webhook of the burst, by process: the ingress, the Temporal
   * server (with Postgres for `cluster`) and the bench's own HTTP client. Unlike latencies these barely depend on
   * machine load; their sum over the burst, divided by the machine's cores, is the least the burst can take here.
   */
  webhookIngressCpuMsPerWebhook: number;
  webhookServerCpuMsPerSignal: number;
  webhookBenchClientCpuMsPerWebhook: number;
  /** The same for the plain client signals: the server's CPU, and the signalling client's (this process). */
  directSignalServerCpuMsPerSignal: number;
  directSignalClientCpuMsPerSignal: number;
  /** The ingress process's peak resident set (VmHWM) over its whole run, burst included. */
  webhookIngressPeakRssMb: number;
}

/** Wall time and CPU of the ingress, the server and this process over one burst of `count`. */
async function measured<T>(
  count: number,
  pids: { ingress?: number; server: BenchServer },
  burst: () => Promise<T>,
): Promise<{ result: T; ingressMs: number; serverMs: number; selfMs: number }> {
  const ingress0 = pids.ingress === undefined ? 0 : processCpuSeconds(pids.ingress);
  const server0 = pids.server.cpuSeconds();
  const self0 = process.cpuUsage();
  const result = await burst();
  const self = process.cpuUsage(self0);
  const perItem = (seconds: number): number => round((seconds * 1000) / count);
  return {
    result,
    ingressMs: pids.ingress === undefined ? 0 : perItem(processCpuSeconds(pids.ingress) - ingress0),
    serverMs: perItem(pids.server.cpuSeconds() - server0),
    selfMs: perItem((self.user + self.system) / 1e6),
  };
}

/**
 * `concurrent` eFormidling status webhooks at once through the production ingress (`ferje ingress`, its own process,
 * as deployed) and the real eFormidling route, each to its own running message workflow. Latency is from sending the
 * request to the 200, which the ingress answers only once Temporal holds the signal (the webhook → durable signal
 * path); how soon a worker then reacts is the integration's business. Afterwards every target's history must show
 * its one signal. The client is node:http over one kept-alive socket per request in flight (a webhook sender keeps
 * its connections), so the bench's own client neither queues requests nor pays a connection set-up in the burst.
 */
export async function runWebhooks(server: BenchServer, dataDir: string, concurrent: number): Promise<WebhookResult> {
  const { client } = server;
  const env = {
    EFORMIDLING_WEBHOOK_TOKEN: TOKEN,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: server.namespace,
    FERJE_DATA_DIR: dataDir,
  };
  const port = await freePort();
  const cli = path.join(projectDir, 'dist', 'src', 'cli', 'main.js');
  const nodeArgs = (process.env.SCALE_INGRESS_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const ingress = spawn(process.execPath, [...nodeArgs, cli, 'ingress'], {
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
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const post = (pathname: string, body?: string): Promise<{ ms: number; status: number }> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: pathname,
          method: body === undefined ? 'GET' : 'POST',
          agent,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
          res.once('error', reject);
        },
      );
      req.once('error', reject);
      req.end(body);
    });
  for (let tries = 0; ; tries++) {
    const live = await post('/health/live').then(
      (r) => r.status === 200,
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
    const send = (messageId: string): Promise<{ ms: number; status: number }> =>
      post(
        `/webhooks/eformidling/${TOKEN}`,
        JSON.stringify({ event: 'status', direction: 'OUTGOING', messageId, status: 'LEVERT' }),
      );
    // Warm-up: the ingress's code paths and its Temporal channel, then as many kept-alive connections as the burst
    // will use (opened last, so none has reached the server's keep-alive timeout); then all at once.
    for (const id of messageIds.slice(0, warmUp)) await send(id);
    await Promise.all(Array.from({ length: concurrent }, () => post('/health/live')));
    const targets = messageIds.slice(warmUp, warmUp + concurrent);
    const webhooks = await measured(concurrent, { ingress: ingress.pid, server }, () => Promise.all(targets.map(send)));
    const direct = await measured(concurrent, { server }, () =>
      Promise.all(
        messageIds.slice(warmUp + concurrent).map(async (messageId) => {
          const started = performance.now();
          await client.workflow
            .getHandle(messageWorkflowId(messageId))
            .signal(statusHintSignal, { status: 'LEVERT', source: 'webhook' });
          return performance.now() - started;
        }),
      ),
    );
    const directMs = [...direct.result].sort((a, b) => a - b);
    const sorted = webhooks.result.map((r) => r.ms).sort((a, b) => a - b);
    const recorded = await mapLimit(targets, 8, async (id) => {
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
      webhookNon200: webhooks.result.filter((r) => r.status !== 200).length,
      webhookSignalsRecorded: recorded.filter((n) => n === 1).length,
      directSignalP50Ms: round(percentile(directMs, 50)),
      directSignalP99Ms: round(percentile(directMs, 99)),
      webhookServer: server.kind,
      webhookIngressCpuMsPerWebhook: webhooks.ingressMs,
      webhookServerCpuMsPerSignal: webhooks.serverMs,
      webhookBenchClientCpuMsPerWebhook: webhooks.selfMs,
      directSignalServerCpuMsPerSignal: direct.serverMs,
      directSignalClientCpuMsPerSignal: direct.selfMs,
      webhookIngressPeakRssMb: ingress.pid === undefined ? 0 : round(statusKb(ingress.pid, 'VmHWM') / 1024),
    };
  } finally {
    agent.destroy();
    if (ingress.exitCode === null && ingress.signalCode === null) {
      const exited = new Promise((r) => ingress.once('exit', r));
      ingress.kill('SIGTERM');
      await exited;
    }
  }
}
