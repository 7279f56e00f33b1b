import { context, trace } from '@opentelemetry/api';

/** The ids of the span active in this async context, for log lines (nothing when no span is active). */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const ctx = trace.getSpan(context.active())?.spanContext();
  if (!ctx || !trace.isSpanContextValid(ctx)) return undefined;
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}
