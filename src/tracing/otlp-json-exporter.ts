import { ExportResultCode, hrTimeToNanoseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Spans over OTLP/HTTP with the JSON encoding (`POST <endpoint>/v1/traces`), which every OpenTelemetry collector,
 * Jaeger and Tempo accept. Small on purpose: the official exporter's dependency tree does not resolve against the
 * OpenTelemetry 1.x SDK that @temporalio/interceptors-opentelemetry 1.24 needs.
 */
type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };

function anyValue(value: unknown): AnyValue {
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: Array.isArray(value) ? value.join(',') : String(value) };
}

const attributes = (attrs: Record<string, unknown>): { key: string; value: AnyValue }[] =>
  Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([key, v]) => ({ key, value: anyValue(v) }));

const nanos = (t: ReadableSpan['startTime']): string => String(hrTimeToNanoseconds(t));

export function toOtlpJson(spans: ReadableSpan[]): unknown {
  const byResource = new Map<ReadableSpan['resource'], ReadableSpan[]>();
  for (const span of spans) byResource.set(span.resource, [...(byResource.get(span.resource) ?? []), span]);
  return {
    resourceSpans: [...byResource].map(([resource, list]) => ({
      resource: { attributes: attributes(resource.attributes) },
      scopeSpans: [
        {
          scope: { name: list[0].instrumentationLibrary.name, version: list[0].instrumentationLibrary.version },
          spans: list.map((span) => ({
            traceId: span.spanContext().traceId,
            spanId: span.spanContext().spanId,
            parentSpanId: span.parentSpanId,
            name: span.name,
            kind: span.kind + 1, // OTLP counts from SPAN_KIND_UNSPECIFIED = 0
            startTimeUnixNano: nanos(span.startTime),
            endTimeUnixNano: nanos(span.endTime),
            attributes: attributes(span.attributes),
            events: span.events.map((e) => ({
              name: e.name,
              timeUnixNano: nanos(e.time),
              attributes: attributes(e.attributes ?? {}),
            })),
            links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
            status: { code: span.status.code, message: span.status.message },
          })),
        },
      ],
    })),
  };
}

export class OtlpJsonTraceExporter implements SpanExporter {
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const sent = fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.headers },
      body: JSON.stringify(toOtlpJson(spans)),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`OTLP endpoint answered ${res.status}`);
        resultCallback({ code: ExportResultCode.SUCCESS });
      })
      .catch((err: unknown) => {
        this.onError(err as Error);
        resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
      })
      .finally(() => this.pending.delete(sent));
    this.pending.add(sent);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
