import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { createLogger } from '../../src/logging/logger';
import { integrationOfTaskQueue, safeLabel } from '../../src/metrics/catalog';
import { retryAfterSeconds } from '../../src/metrics/partner-http';
import { routeTemplate, statusClass } from '../../src/metrics/route-template';
import { setupTracing } from '../../src/tracing/tracing';

describe('metric labels carry no identifiers or personal data', () => {
  it('turns request paths into route templates', () => {
    assert.equal(
      routeTemplate('/api/984661185/portal/signature-jobs/12345/status?polling_queue=q1'),
      '/api/:id/portal/signature-jobs/:id/status',
    );
    assert.equal(
      routeTemplate(
        '/signstash/api/PRT.505767457-PRT.123654123-84dd8c/async/operation/status/7f3c9a2e-1b4d-4c1e-9f1a-0a1b2c3d4e5f',
      ),
      '/signstash/api/:id/async/operation/status/:id',
    );
    assert.equal(routeTemplate('/v2/persons'), '/v2/persons', 'API versions stay');
    assert.equal(routeTemplate('/persons/13097248022'), '/persons/:id');
    assert.equal(routeTemplate('/messages/deadbeefcafe'), '/messages/:id', 'hex words are ids');
  });

  it('collapses values that could identify someone', () => {
    assert.equal(safeLabel('EXECUTED'), 'EXECUTED');
    assert.equal(safeLabel('/api/:id/status'), '/api/:id/status');
    assert.equal(safeLabel('13097248022'), 'other');
    assert.equal(safeLabel('case 13097248022'), 'other');
    assert.equal(safeLabel('ola.nordmann@example.no'), 'other');
    assert.equal(safeLabel(undefined), 'none');
    assert.equal(statusClass(429), '4xx');
    assert.equal(integrationOfTaskQueue('ferje-posten-signering'), 'postenSignering');
  });

  it('reads Retry-After as seconds or as a date', () => {
    assert.equal(retryAfterSeconds('7'), 7);
    assert.equal(retryAfterSeconds(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1)), 30);
    assert.equal(retryAfterSeconds('soon'), undefined);
  });
});

describe('log lines inside a traced operation', () => {
  it('carry the trace and span ids', () => {
    const { tracer } = setupTracing({}, 'unit');
    const lines: string[] = [];
    const logger = createLogger('unit', 'INFO', (l) => lines.push(l));
    const span = tracer.startSpan('op');
    context.with(trace.setSpan(context.active(), span), () => {
      logger.info('inside');
    });
    span.end();
    logger.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(inside.trace_id, span.spanContext().traceId);
    assert.equal(inside.span_id, span.spanContext().spanId);
    assert.equal(outside.trace_id, undefined);
  });
});
