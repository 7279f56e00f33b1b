import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startIngress, type RunningIngress } from '../../src/ingress/server';
import type { IngressRoute } from '../../src/ingress/route';
import { createLogger } from '../../src/logging/logger';
import { createHttpServerMetrics, serveMetrics } from '../../src/metrics/http-server-metrics';
import { freePort } from '../harness/ports';
import { createFixtureActivities } from '../fixtures/activities';
import { createLocalTestEnv, getTestEnv } from '../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../harness/worker';

const MARKER = '13097248022';

/** A route shaped like the integrations' webhook routes: validate, then signal-with-start the owning workflow. */
function caseRoute(taskQueue: string): IngressRoute {
  return {
    method: 'POST',
    path: '/webhooks/test/:caseRef',
    maxBodyBytes: 2048,
    async handle(req) {
      const body = JSON.parse(req.body.toString('utf8')) as { note?: string; pin?: string };
      if (typeof body.note !== 'string') return { kind: 'respond', status: 400, body: { error: 'note required' } };
      return {
        kind: 'signalWithStart',
        workflowType: 'awaitProceedWorkflow',
        workflowId: `ingress-case/${req.params.caseRef}`,
        taskQueue,
        args: [{ caseRef: req.params.caseRef, personalIdentificationNumber: body.pin ?? '' }],
        signal: 'proceed',
        signalArgs: [{ note: body.note }],
      };
    },
  };
}

describe('ingress (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let ingress: RunningIngress;
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>>;
  const logLines: string[] = [];
  const taskQueue = uniqueTaskQueue('ingress');

  before(async () => {
    env = await getTestEnv();
    worker = await createTestWorker({
      env,
      taskQueue,
      activities: createFixtureActivities(mkdtempSync(path.join(tmpdir(), 'ferje-ingress-'))),
      source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
    });
    running = worker.run();
    const metrics = createHttpServerMetrics('ingress');
    metricsServer = await serveMetrics(
      { FERJE_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` },
      metrics.registry,
      createLogger('metrics', 'ERROR'),
    );
    ingress = await startIngress({
      metrics,
      client: env.client,
      routes: [caseRoute(taskQueue)],
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024 * 1024,
      logger: createLogger('ingress', 'DEBUG', (l) => logLines.push(l)),
    });
  });
  after(async () => {
    await ingress.close();
    await metricsServer?.close();
    worker.shutdown();
    await running;
  });

  const post = (p: string, body: unknown): Promise<Response> =>
    fetch(`${ingress.url}${p}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('answers 202 only once the signal-with-start is durable, and the workflow sees the signal', async () => {
    const caseRef = `c${Date.now()}`;
    const res = await post(`/webhooks/test/${caseRef}`, { note: 'approved', pin: MARKER });
    assert.equal(res.status, 202);
    const result: unknown = await env.client.workflow.getHandle(`ingress-case/${caseRef}`).result();
    assert.equal(result, `${caseRef}: approved`);
  });

  it('rejects invalid requests before touching Temporal, and oversized bodies with 413', async () => {
    assert.equal((await post('/webhooks/test/x1', { other: 1 })).status, 400);
    assert.equal((await post('/webhooks/test/x2', { note: 'x'.repeat(4096) })).status, 413);
    assert.equal((await post('/webhooks/test/x3', '{not json')).status, 400);
    assert.equal((await post('/nowhere', {})).status, 404);
  });

  it('reports liveness and readiness', async () => {
    assert.equal((await fetch(`${ingress.url}/health/live`)).status, 200);
    const ready = await fetch(`${ingress.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', missing: [], routes: 1 });
  });

  it('counts requests by route pattern and status class on its metrics endpoint, never by concrete path', async () => {
    assert.ok(metricsServer);
    const text = await (await fetch(metricsServer.url)).text();
    const value = (labels: string): number =>
      Number(new RegExp(`^ferje_ingress_requests_total\\{${labels}[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    assert.ok(value('method="POST",route="/webhooks/test/:caseRef",status_class="2xx"') >= 1, text);
    assert.ok(value('method="POST",route="/webhooks/test/:caseRef",status_class="4xx"') >= 3, text);
    assert.ok(value('method="POST",route="unmatched",status_class="4xx"') >= 1, text);
    assert.match(text, /^ferje_ingress_request_duration_seconds_bucket\{.*route="\/webhooks\/test\/:caseRef"/m);
    assert.ok(!/\/webhooks\/test\/[cx]\d/.test(text), 'no concrete path in labels');
  });

  it('never logs bodies or concrete paths', () => {
    const all = logLines.join('\n');
    assert.ok(all.includes('/webhooks/test/:caseRef'), 'logs the route pattern');
    assert.ok(!all.includes(MARKER));
    assert.ok(!/\/webhooks\/test\/c\d+/.test(all), 'the concrete path may carry secret tokens');
  });

  it('answers 503 with Retry-After when Temporal is unreachable, so the sender retries', async () => {
    const doomed = await createLocalTestEnv();
    const lonely = await startIngress({
      client: doomed.client,
      routes: [caseRoute(taskQueue)],
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024,
      logger: createLogger('ingress', 'ERROR', () => undefined),
      temporalDeadlineMs: 3000,
    });
    try {
      await doomed.teardown();
      const res = await fetch(`${lonely.url}/webhooks/test/c503`, {
        method: 'POST',
        body: JSON.stringify({ note: 'n' }),
      });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      const ready = await fetch(`${lonely.url}/health/ready`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { missing: { name: string; reason: string }[] };
      assert.deepEqual(
        body.missing.map((m) => m.name),
        ['temporal'],
        'it says what it is missing',
      );
      assert.match(body.missing[0].reason, /Temporal frontend unreachable/);
    } finally {
      await lonely.close();
    }
  });
});
