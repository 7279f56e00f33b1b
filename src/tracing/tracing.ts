import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { envOptional, type Env } from '../config/env';
import type { Logger } from '../logging/logger';
import { OtlpJsonTraceExporter } from './otlp-json-exporter';
import { installPartnerHttpSpans } from './partner-http-spans';

/**
 * OpenTelemetry for one Ferje process: W3C trace context, async-local context, and — when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set — spans exported over OTLP/HTTP.
 * Without an endpoint, spans are still created (trace ids in logs, propagation to partners) but go nowhere.
 * Installed once per process; the worker's workflow span sink and the client interceptor use the same provider.
 */
export interface FerjeTracing {
  tracer: Tracer;
  spanProcessor: SpanProcessor;
  resource: Resource;
  exporting: boolean;
  flush(): Promise<void>;
}

let current: FerjeTracing | undefined;

export function otlpTracesUrl(env: Env): string | undefined {
  const traces = envOptional(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces) return traces;
  const base = envOptional(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return base ? `${base.replace(/\/$/, '')}/v1/traces` : undefined;
}

/** `k=v,k2=v2` as in the OpenTelemetry spec's OTEL_EXPORTER_OTLP_HEADERS. */
function otlpHeaders(env: Env): Record<string, string> {
  const raw = envOptional(env, 'OTEL_EXPORTER_OTLP_HEADERS') ?? '';
  return Object.fromEntries(
    raw
      .split(',')
      .map((pair) => pair.split('='))
      .filter((kv) => kv.length >= 2 && kv[0].trim() !== '')
      .map(([k, ...v]) => [k.trim(), decodeURIComponent(v.join('=').trim())]),
  );
}

export function setupTracing(env: Env, serviceName: string, logger?: Logger): FerjeTracing {
  if (current) return current;
  const url = otlpTracesUrl(env);
  const resource = new Resource({
    'service.name': envOptional(env, 'OTEL_SERVICE_NAME') ?? serviceName,
    'service.namespace': 'ferje',
  });
  const spanProcessor: SpanProcessor = url
    ? new BatchSpanProcessor(
        new OtlpJsonTraceExporter(url, otlpHeaders(env), (err) => {
          logger?.warn('trace export failed', { error: err.message });
        }),
        { scheduledDelayMillis: 1000 },
      )
    : new NoopSpanProcessor();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  installPartnerHttpSpans();
  current = {
    tracer: trace.getTracer('ferje'),
    spanProcessor,
    resource,
    exporting: url !== undefined,
    flush: () => provider.forceFlush(),
  };
  return current;
}
