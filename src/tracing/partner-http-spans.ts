import diagnostics from 'node:diagnostics_channel';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { routeTemplate } from '../metrics/route-template';

/**
 * A client span for each outgoing HTTP request made inside a traced operation (an activity calling a partner),
 * from undici's diagnostics channels, so every HTTP client is covered; the W3C `traceparent` goes along so a
 * partner (or simulator) that traces can join. The span carries the route template, never the full URL.
 */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
  addHeader?(name: string, value: string): void;
}

const spans = new WeakMap<UndiciRequest, Span>();
let installed = false;

export function installPartnerHttpSpans(): void {
  if (installed) return;
  installed = true;
  diagnostics.subscribe('undici:request:create', (message) => {
    const { request } = message as { request: UndiciRequest };
    const parent = context.active();
    if (!trace.getSpan(parent)) return;
    const method = request.method ?? 'GET';
    const route = routeTemplate(request.path ?? '/');
    let host = '';
    try {
      host = new URL(String(request.origin)).host;
    } catch {
      // origin is always absolute in undici; an odd one just leaves the attribute empty
    }
    const span = trace.getTracer('ferje.http').startSpan(
      `${method} ${route}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': method, 'url.template': route, 'server.address': host },
      },
      parent,
    );
    spans.set(request, span);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    for (const [k, v] of Object.entries(carrier)) request.addHeader?.(k, v);
  });
  diagnostics.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  diagnostics.subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: UndiciRequest; error: Error };
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.name });
    span.end();
  });
}
