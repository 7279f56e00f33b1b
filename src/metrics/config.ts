import { ConfigError, envOptional, type Env } from '../config/env';

/**
 * `FERJE_METRICS_ADDRESS=host:port`: where this process serves Prometheus metrics on `/metrics` (worker: the SDK's
 * exporter with Ferje's own metrics; ingress: its request metrics). Unset: no metrics endpoint.
 */
export function metricsAddress(env: Env): { host: string; port: number; bindAddress: string } | undefined {
  const raw = envOptional(env, 'FERJE_METRICS_ADDRESS');
  if (!raw) return undefined;
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new ConfigError(`FERJE_METRICS_ADDRESS must be host:port, got "${raw}"`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port, bindAddress: `${match[1]}:${port}` };
}
