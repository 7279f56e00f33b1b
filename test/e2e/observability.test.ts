import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectFerjeClient } from '../../src/client/connect';
import { projectDir } from '../../src/config/ferje-config';
import { signatureOperationFlow, type SignatureOperationInput } from '../../src/contract/signstash';
import { SignstashSimulator } from '../../src/simulators/signstash';
import { setupTracing } from '../../src/tracing/tracing';
import { fastPolling, uniqueReference } from '../workflows/signstash/harness';
import { testKeyFilePath } from '../harness/keys';
import { startOtlpReceiver, type ReceivedSpan } from '../harness/otlp-receiver';
import { freePort } from '../harness/ports';
import { spawnTs, type ChildHandle } from '../harness/processes';
import { startPrometheus, type RunningPrometheus } from '../harness/prometheus';
import { getTestEnv } from '../harness/temporal';

/**
 * The operations view of one real flow: the production worker process (`ferje worker`) serving Prometheus metrics
 * on FERJE_METRICS_ADDRESS and exporting spans over OTLP, a real Prometheus scraping it every second, and an OTLP
 * receiver collecting the spans of the caller (this process) and the worker.
 */
describe("metrics and traces of a Sign'Stash flow run by the production worker process", () => {
  let prometheus: RunningPrometheus;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let sim: SignstashSimulator;
  let worker: ChildHandle;
  let result: { status: string };
  let workflowId: string;
  let healthPort: number;
  const before_: Record<string, number | undefined> = {};
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    const env = await getTestEnv();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-observability-'));
    receiver = await startOtlpReceiver();
    cleanups.push(() => receiver.close());
    sim = await SignstashSimulator.start({
      dataDir: path.join(dataDir, 'sim'),
      instances: 2,
      baseDelayMs: 300,
      retryAfterSeconds: 1,
    });
    cleanups.push(() => sim.stop());
    const metricsPort = await freePort();
    healthPort = await freePort();
    worker = spawnTs('src/cli/main.ts', ['worker'], {
      ...process.env,
      ...sim.env(),
      ...fastPolling,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      FERJE_DATA_DIR: dataDir,
      FERJE_CODEC_KEY_FILE: testKeyFilePath,
      FERJE_WORKER_INTEGRATIONS: 'signstash',
      FERJE_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      FERJE_HEALTH_ADDRESS: `127.0.0.1:${healthPort}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // DEBUG: the SDK's activity log lines, which must carry the trace id.
      FERJE_LOG_LEVEL: 'DEBUG',
    });
    cleanups.push(async () => {
      worker.child.kill('SIGTERM');
      await worker.exited;
    });
    await worker.waitFor(/workers running/, 120_000);
    prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`]);
    cleanups.push(() => prometheus.stop());
    // The worker's endpoint is scraped and already serves the SDK's own metrics.
    await prometheus.waitFor('up{job="ferje"}', (v) => v === 1);
    before_.flows = await prometheus.value(
      'sum(ferje_flows_completed_total{workflowType="signstashSignatureOperation"})',
    );

    // The caller: a Ferje client in this process, tracing to the same receiver.
    setupTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, 'test-caller');
    const client = await connectFerjeClient({
      env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', FERJE_CODEC_KEY_FILE: testKeyFilePath },
    });
    cleanups.push(() => client.connection.close());
    const example = JSON.parse(
      readFileSync(path.join(projectDir, 'examples', 'signstash-sign.json'), 'utf8'),
    ) as SignatureOperationInput;
    const reference = uniqueReference('observability');
    const input: SignatureOperationInput = {
      ...example,
      clientServiceId: Object.keys(sim.clientServices())[0],
      externalReference: reference,
      documents: example.documents.map((d, i) => ({ ...d, externalReference: `${reference}-${i}` })),
    };
    workflowId = signatureOperationFlow.workflowId(input);
    const handle = await client.workflow.start(signatureOperationFlow.workflowType, {
      taskQueue: signatureOperationFlow.taskQueue,
      workflowId,
      args: [input],
    });
    result = (await handle.result()) as { status: string };
    await setupTracing({}, 'test-caller').flush();
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('moves the flow, activity, partner-request and SDK series that Prometheus scrapes', async () => {
    assert.equal(result.status, 'EXECUTED');
    assert.equal(before_.flows, undefined, 'no completed flow before this one');
    await prometheus.waitFor(
      'sum(ferje_flows_completed_total{workflowType="signstashSignatureOperation",status="EXECUTED",integration="signstash"})',
      (v) => v >= 1,
    );
    await prometheus.waitFor(
      'sum(ferje_activity_outcomes_total{integration="signstash",outcome="completed"})',
      (v) => v >= 2,
    );
    await prometheus.waitFor(
      'sum(ferje_partner_requests_total{integration="signstash",status_class="2xx"})',
      (v) => v >= 2,
    );
    await prometheus.waitFor(
      'count(count by (route) (ferje_partner_requests_total{integration="signstash"}))',
      (v) => v >= 2,
    );
    await prometheus.waitFor(
      'sum(ferje_partner_request_duration_seconds_count{integration="signstash"})',
      (v) => v >= 2,
    );
    await prometheus.waitFor('sum(ferje_flow_duration_seconds_count{integration="signstash"})', (v) => v >= 1);
    // The SDK's own worker metrics, from the same endpoint, with the labels the alert rules use.
    await prometheus.waitFor('sum(temporal_num_pollers{task_queue="ferje-signstash"})', (v) => v > 0);
    await prometheus.waitFor('sum(temporal_workflow_completed_total{task_queue="ferje-signstash"})', (v) => v >= 1);
    await prometheus.waitFor('sum(temporal_activity_execution_latency_count)', (v) => v >= 2);
    // Labels are route templates and enum words: no workflow id, reference or client service id in any series.
    const res = await fetch(`${prometheus.url}/api/v1/series?match[]={__name__=~"ferje_.+"}`);
    const series = JSON.stringify(await res.json());
    assert.ok(!series.includes(workflowId.split('/').at(-1) ?? workflowId), 'no reference in labels');
    assert.ok(!series.includes(Object.keys(sim.clientServices())[0]), 'no client service id in labels');
  });

  it('tells on /health/ready that the worker lacks nothing', async () => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/health/ready`);
    assert.deepEqual(await res.json(), { status: 'ready', missing: [] });
    assert.equal(res.status, 200);
  });

  it('exports one trace from the caller through the workflow and activities to the partner HTTP calls', async () => {
    const deadline = Date.now() + 20_000;
    const httpSpans = (): ReceivedSpan[] => receiver.spans.filter((s) => s.attributes['http.request.method']);
    let start: ReceivedSpan | undefined;
    while (Date.now() < deadline) {
      start = receiver.spans.find((s) => s.service === 'test-caller' && s.name.startsWith('StartWorkflow'));
      // Workflow spans reach the exporter through the worker's sink when the workflow task ends: wait for both.
      const inTrace = (s: ReceivedSpan): boolean => s.traceId === start?.traceId;
      if (httpSpans().some(inTrace) && receiver.spans.some((s) => inTrace(s) && s.name.startsWith('RunWorkflow'))) {
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(start, `the caller's StartWorkflow span arrived: ${receiver.spans.map((s) => s.name).join(', ')}`);
    const trace = receiver.spans.filter((s) => s.traceId === start.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const chain: ReceivedSpan[] = [];
      for (
        let p = span.parentSpanId && byId.get(span.parentSpanId);
        p;
        p = p.parentSpanId && byId.get(p.parentSpanId)
      ) {
        chain.push(p);
      }
      return chain;
    };
    const http = trace.find((s) => s.attributes['http.request.method'] && s.service === 'ferje-worker');
    assert.ok(http, 'a partner HTTP span in the same trace');
    const chain = ancestors(http).map((s) => s.name);
    assert.ok(
      chain.some((n) => n.startsWith('RunActivity')),
      `HTTP under an activity: ${chain.join(' < ')}`,
    );
    assert.ok(
      chain.some((n) => n.startsWith('RunWorkflow')),
      `activity under the workflow: ${chain.join(' < ')}`,
    );
    assert.equal(chain.at(-1), start.name, 'rooted at the caller');
    assert.match(String(http.attributes['url.template']), /^\//);
    assert.match(String(http.attributes['url.template']), /:id/, 'identifiers in the path are templated away');
    // Log lines of the activity carry the trace id.
    const traced = worker
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"partner response"') && l.includes(`"trace_id":"${start.traceId}"`));
    assert.ok(traced.length > 0, "the worker's log lines carry the trace id");
  });
});
