import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { closeServer, listen, sendText } from '../http/server-utils';
import type { Logger } from '../logging/logger';
import { ferjeMetrics } from './catalog';
import { metricsAddress } from './config';
import type { Env } from '../config/env';
import { statusClass } from './route-template';

/**
 * Request metrics of Ferje's own HTTP services (ingress, documents API), which are not Temporal workers and so have
 * no SDK meter: a prom-client registry served on FERJE_METRICS_ADDRESS, apart from the public port. Labels are the
 * route pattern (never the real path, which may carry tokens) and the status class.
 */
export interface HttpServerMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
  registry: Registry;
}

export function createHttpServerMetrics(service: string): HttpServerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: `${ferjeMetrics.ingressRequests.name}_total`,
    help: ferjeMetrics.ingressRequests.description,
    labelNames: ['method', 'route', 'status_class'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: ferjeMetrics.ingressRequestDuration.name,
    help: ferjeMetrics.ingressRequestDuration.description,
    labelNames: ['method', 'route', 'status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      const labels = { method, route, status_class: statusClass(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/** Serves `GET /metrics` of a registry on FERJE_METRICS_ADDRESS; undefined when that is not set. */
export async function serveMetrics(
  env: Env,
  registry: Registry,
  logger: Logger,
): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const address = metricsAddress(env);
  if (!address) return undefined;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      sendText(res, 404, 'GET /metrics');
      return;
    }
    registry.metrics().then(
      (text) => sendText(res, 200, text, { 'content-type': registry.contentType }),
      (err: unknown) => sendText(res, 500, (err as Error).name),
    );
  });
  const port = await listen(server, address.host, address.port);
  const url = `http://${address.host}:${port}/metrics`;
  logger.info('serving Prometheus metrics', { url });
  return { url, close: () => closeServer(server) };
}
