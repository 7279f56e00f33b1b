import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from '../logging/logger';
import type { HttpServerMetrics } from '../metrics/http-server-metrics';
import { evaluateReadiness } from '../http/readiness';
import { BodyTooLargeError, closeServer, listen, readBody, sendJson } from '../http/server-utils';
import { compileRoute, IngressRejection, type IngressAction, type IngressRoute } from './route';

export interface IngressOptions {
  client: Client;
  routes: IngressRoute[];
  host: string;
  port: number;
  maxBodyBytes: number;
  logger: Logger;
  /** How long one Temporal call may take before the sender is told to retry (503). */
  temporalDeadlineMs?: number;
  /** Request counts and latencies by route pattern (served by the process on FERJE_METRICS_ADDRESS). */
  metrics?: HttpServerMetrics;
}

export interface RunningIngress {
  url: string;
  port: number;
  close(): Promise<void>;
}

const RETRY_AFTER_SECONDS = '5';

/**
 * Receives webhooks and turns each accepted request into a Temporal signal. The sender gets 2xx only after Temporal
 * accepted the signal; when Temporal cannot be reached it gets 503 with Retry-After, so nothing is acknowledged that
 * was not made durable. Logs carry the route pattern, never the real path (it may hold secret tokens) or the body.
 */
export async function startIngress(options: IngressOptions): Promise<RunningIngress> {
  const { client, logger } = options;
  const routes = options.routes.map(compileRoute);
  const deadlineMs = options.temporalDeadlineMs ?? 10_000;
  const withDeadline = <T>(fn: () => Promise<T>): Promise<T> =>
    client.connection.withDeadline(Date.now() + deadlineMs, fn);

  const execute = async (action: IngressAction): Promise<{ status: number; body: unknown }> => {
    switch (action.kind) {
      case 'respond':
        return { status: action.status, body: action.body ?? {} };
      case 'signalWithStart':
        await withDeadline(() =>
          client.workflow.signalWithStart(action.workflowType, {
            workflowId: action.workflowId,
            taskQueue: action.taskQueue,
            args: action.args,
            signal: action.signal,
            signalArgs: action.signalArgs,
            typedSearchAttributes: action.typedSearchAttributes,
            staticSummary: action.staticSummary,
          }),
        );
        return { status: action.status ?? 202, body: action.body ?? { accepted: true } };
      case 'signal':
        try {
          await withDeadline(() =>
            client.workflow.getHandle(action.workflowId).signal(action.signal, ...action.signalArgs),
          );
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
          logger.warn('signal target not running', { workflowId: action.workflowId, signal: action.signal });
          if (action.ifNotFound === 'reject') return { status: 404, body: { error: 'unknown target' } };
        }
        return { status: action.status ?? 202, body: action.body ?? { accepted: true } };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://ingress');
    if (req.method === 'GET' && url.pathname === '/health/live') {
      sendJson(res, 200, { status: 'live' });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/health/ready') {
      const readiness = await evaluateReadiness([
        {
          name: 'temporal',
          check: () =>
            withDeadline(() => client.workflowService.getSystemInfo({})).then(
              () => undefined,
              (err: unknown) => `Temporal frontend unreachable (${(err as Error).name}): webhooks would get 503`,
            ),
        },
        {
          name: 'routes',
          check: () => Promise.resolve(routes.length === 0 ? 'no integration registered a webhook route' : undefined),
        },
      ]);
      if (readiness.status === 'ready') sendJson(res, 200, { ...readiness, routes: routes.length });
      else sendJson(res, 503, readiness, { 'retry-after': RETRY_AFTER_SECONDS });
      return;
    }
    let params: Record<string, string> | undefined;
    const compiled = routes.find(
      (r) => r.route.method === req.method && (params = r.match(url.pathname)) !== undefined,
    );
    if (!compiled || !params) {
      req.resume();
      sendJson(res, 404, { error: 'no such route' });
      options.metrics?.observe(req.method ?? 'GET', 'unmatched', 404, (Date.now() - started) / 1000);
      return;
    }
    const pattern = compiled.route.path;
    let status: number;
    try {
      const body = await readBody(req, compiled.route.maxBodyBytes ?? options.maxBodyBytes);
      const action = await compiled.route.handle({
        method: req.method ?? 'GET',
        params,
        query: url.searchParams,
        headers: req.headers,
        body,
      });
      try {
        const result = await execute(action);
        status = result.status;
        sendJson(res, status, result.body);
      } catch (err) {
        status = 503;
        logger.warn('temporal did not accept the signal', { route: pattern, error: (err as Error).name });
        sendJson(res, 503, { error: 'temporarily unavailable, retry later' }, { 'retry-after': RETRY_AFTER_SECONDS });
      }
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        status = 413;
        sendJson(res, 413, { error: err.message }, { connection: 'close' });
      } else if (err instanceof IngressRejection) {
        status = err.status;
        sendJson(res, status, { error: err.message });
      } else if (err instanceof SyntaxError) {
        status = 400;
        sendJson(res, 400, { error: 'body is not valid JSON' });
      } else {
        status = 500;
        logger.error('ingress route failed', { route: pattern, error: (err as Error).name });
        sendJson(res, 500, { error: 'internal error' });
      }
    }
    logger.info('ingress request', { method: req.method, route: pattern, status, ms: Date.now() - started });
    options.metrics?.observe(req.method ?? 'GET', pattern, status, (Date.now() - started) / 1000);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('ingress failure', { error: (err as Error).name });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });
  // Webhook senders hold connections open; cap header time so a slow client cannot pin sockets forever.
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;
  const port = await listen(server, options.host, options.port);
  const url = `http://${options.host}:${port}`;
  logger.info('ingress listening', { url, routes: routes.map((r) => `${r.route.method} ${r.route.path}`) });
  return { url, port, close: () => closeServer(server) };
}
