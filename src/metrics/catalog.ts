/**
 * Every metric Ferje emits besides the SDK's own, in one place: name, kind, unit and the labels it may carry.
 * Labels are enum words and type names only (integration, workflow/activity type, status, failure type, route
 * template, status class) — never IDs, references or personal data, so a label can never identify a person and the
 * number of series stays bounded. Alert rules (ops/prometheus/alerts.yml) and the dashboard use these names; the
 * Prometheus exporter of the SDK adds no prefix to them.
 */
export const ferjeMetrics = {
  // Workflows (interceptor in src/metrics/workflow-interceptors.ts).
  flowsCompleted: counter('ferje_flows_completed', 'Flows that completed, by workflow type and result status'),
  flowsFailed: counter('ferje_flows_failed', 'Flows that failed, by workflow type and failure type'),
  flowDuration: histogram('ferje_flow_duration_seconds', 's', 'From workflow start to completion or failure'),
  // Activities (interceptor in src/metrics/activity-interceptor.ts).
  activityOutcomes: counter('ferje_activity_outcomes', 'Activity attempts by type, outcome and failure type'),
  activityDuration: histogram('ferje_activity_duration_seconds', 's', 'Duration of one activity attempt'),
  // Partner HTTP (undici diagnostics, src/metrics/partner-http.ts).
  partnerRequests: counter('ferje_partner_requests', 'Requests to partner APIs by route template and status class'),
  partnerRequestDuration: histogram('ferje_partner_request_duration_seconds', 's', 'Time to response headers'),
  partnerThrottled: counter('ferje_partner_throttled', 'Partner answers 429 Too Many Requests'),
  partnerRetryAfter: counter('ferje_partner_retry_after_seconds', 'Seconds partners asked us to wait (Retry-After)'),
  // Business events, one call each in the integration that knows them.
  pollWait: counter('ferje_poll_wait_seconds', 'Seconds spent waiting for a permitted poll time'),
  postenStatusChanges: counter('ferje_posten_status_changes', 'Posten status changes handled, by status'),
  postenChangesHeld: counter(
    'ferje_posten_changes_held',
    'Status changes of unowned Posten jobs held unconfirmed for an operator (each redelivery counts)',
  ),
  // eFormidling messages settled by outcome and time to LEVERT are ferje_flows_completed / ferje_flow_duration_seconds
  // of eformidlingOutgoingMessage by status (it settles on LEVERT by default): no extra metric needed.
  signstashInstanceLost: counter(
    'ferje_signstash_instance_lost',
    'Operations whose proxy instance was lost, by policy (restart elsewhere or fail)',
  ),
  ss12000Entities: counter('ferje_ss12000_entities', 'SS12000 entities by resource type and result (stored, invalid)'),
  ss12000ReadAhead: counter(
    'ferje_ss12000_read_ahead_pages',
    'SS12000 pages requested ahead of their activity (event=fetched) and those a page activity took (event=used)',
  ),
  ss12000SubscriptionLost: counter(
    'ferje_ss12000_subscription_lost',
    'SS12000 subscriptions the huvudman no longer knows',
  ),
  // Ferje's HTTP services (prom-client, src/metrics/http-server-metrics.ts).
  ingressRequests: counter('ferje_ingress_requests', 'Requests to the ingress by route pattern and status class'),
  ingressRequestDuration: histogram('ferje_ingress_request_duration_seconds', 's', 'Ingress request handling time'),
} as const;

export type FerjeMetricName = (typeof ferjeMetrics)[keyof typeof ferjeMetrics]['name'];

export interface CounterSpec {
  kind: 'counter';
  name: string;
  description: string;
}
export interface HistogramSpec {
  kind: 'histogram';
  name: string;
  unit: string;
  description: string;
}

function counter<N extends string>(name: N, description: string): CounterSpec & { name: N } {
  return { kind: 'counter', name, description };
}
function histogram<N extends string>(name: N, unit: string, description: string): HistogramSpec & { name: N } {
  return { kind: 'histogram', name, unit, description };
}

/** `ferje-posten-signering` → `postenSignering`: the integration a task queue belongs to, for labels. */
export function integrationOfTaskQueue(taskQueue: string): string {
  const name = taskQueue.replace(/^ferje-/, '');
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * A label value safe to emit: enum words, type names, status classes and route templates pass; anything longer,
 * with other characters, or with a run of six digits (a personal or organisation number) collapses to `other`.
 */
export function safeLabel(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'none';
  return /^[A-Za-z0-9_.:/-]{1,120}$/.test(value) && !/\d{6}/.test(value) ? value : 'other';
}
