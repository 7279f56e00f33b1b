import type { IncomingHttpHeaders } from 'node:http';
import type { SearchAttributePair } from '@temporalio/common';

export interface IngressRequest {
  method: string;
  /** Values of the route's `:name` segments. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Answer directly, without touching Temporal (validation failures, pings). */
export interface RespondAction {
  kind: 'respond';
  status: number;
  body?: unknown;
}

/** Start the workflow if it is not running, then signal it: the way webhooks become durable. */
export interface SignalWithStartAction {
  kind: 'signalWithStart';
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  args: unknown[];
  signal: string;
  signalArgs: unknown[];
  typedSearchAttributes?: SearchAttributePair[];
  staticSummary?: string;
  /** Status and body once Temporal has accepted the signal (default 202, `{"accepted": true}`). */
  status?: number;
  body?: unknown;
}

/** Signal a workflow that must already exist (e.g. a status for a message that Ferje sent). */
export interface SignalAction {
  kind: 'signal';
  workflowId: string;
  signal: string;
  signalArgs: unknown[];
  /** What to answer when no such workflow runs: `accept` (2xx, dropped with a log line) or `reject` (404). */
  ifNotFound: 'accept' | 'reject';
  status?: number;
  body?: unknown;
}

/** Thrown by a route handler to refuse a request with a 4xx (and a message safe to return to the sender). */
export class IngressRejection extends Error {
  override readonly name = 'IngressRejection';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type IngressAction = RespondAction | SignalWithStartAction | SignalAction;

/** A webhook endpoint contributed by an integration. */
export interface IngressRoute {
  method: 'GET' | 'POST' | 'PUT';
  /** Path pattern with `:name` segments, e.g. `/webhooks/ss12000/:subscriptionKey`. Logged instead of the real path. */
  path: string;
  /** Overrides the ingress default body limit for this route. */
  maxBodyBytes?: number;
  handle(request: IngressRequest): Promise<IngressAction>;
}

export interface CompiledRoute {
  route: IngressRoute;
  match(pathname: string): Record<string, string> | undefined;
}

export function compileRoute(route: IngressRoute): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const regex = new RegExp(`^${pattern}/?$`);
  return {
    route,
    match(pathname) {
      const m = regex.exec(pathname);
      if (!m) return undefined;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return params;
    },
  };
}
