import diagnostics from 'node:diagnostics_channel';
import { Context } from '@temporalio/activity';
import { activeTraceIds } from '../tracing/trace-ids';
import { ferjeMetrics, integrationOfTaskQueue } from './catalog';
import { countOn, observeOn } from './meter';
import { routeTemplate, statusClass } from './route-template';

/**
 * Partner HTTP metrics for every integration at once, from undici's diagnostics channels (published by the undici
 * package and by Node's own fetch alike), so no HTTP client needs a wrapper: requests by integration, method, route
 * template and status class, time to response headers, 429s, the waiting partners ask for (`Retry-After`) and the
 * wait until Posten's next permitted poll (`X-Next-permitted-poll-time`). Only requests made inside an activity
 * are counted — that is the partner traffic; simulators and the ingress run outside any activity.
 */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
}
interface Started {
  ctx: Context;
  started: number;
  tags: Record<string, string>;
  /** Taken where the request starts: the callbacks below run outside the activity's async context. */
  trace: Record<string, string> | undefined;
}

const inFlight = new WeakMap<UndiciRequest, Started>();
let installed = false;

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

function header(raw: unknown, name: string): string | undefined {
  if (!Array.isArray(raw)) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (String(raw[i]).toLowerCase() === name) return String(raw[i + 1]);
  }
  return undefined;
}

/** Seconds from a Retry-After value (delta seconds or an HTTP date). */
export function retryAfterSeconds(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/**
 * `responseLogLines`: the DEBUG line per response, with its trace ids. Only when the process logs at DEBUG: composing
 * it (the activity's log metadata, the active span's ids) cost 1-2 ms of CPU per SS12000 page of 28 requests, for a
 * line the logger then dropped.
 */
export function installPartnerHttpMetrics(options: { responseLogLines: boolean }): void {
  if (installed) return;
  installed = true;
  const { responseLogLines } = options;
  diagnostics.subscribe('undici:request:create', (message) => {
    const { request } = message as { request: UndiciRequest };
    const ctx = activityContext();
    if (!ctx) return;
    inFlight.set(request, {
      ctx,
      started: performance.now(),
      tags: {
        integration: integrationOfTaskQueue(ctx.info.taskQueue),
        method: request.method ?? 'GET',
        route: routeTemplate(request.path ?? '/'),
      },
      trace: responseLogLines ? activeTraceIds() : undefined,
    });
  });
  diagnostics.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as {
      request: UndiciRequest;
      response: { statusCode: number; headers: unknown };
    };
    const state = inFlight.get(request);
    if (!state) return;
    inFlight.delete(request);
    const meter = state.ctx.metricMeter;
    const tags = { ...state.tags, status_class: statusClass(response.statusCode) };
    countOn(meter, ferjeMetrics.partnerRequests, tags);
    const seconds = (performance.now() - state.started) / 1000;
    observeOn(meter, ferjeMetrics.partnerRequestDuration, seconds, tags);
    // One line per partner call (route template, never the URL), joined to its trace.
    if (responseLogLines) {
      state.ctx.log.debug('partner response', { ...tags, status: response.statusCode, seconds, ...state.trace });
    }
    if (response.statusCode === 429) countOn(meter, ferjeMetrics.partnerThrottled, state.tags);
    const retryAfter = retryAfterSeconds(header(response.headers, 'retry-after'));
    if (retryAfter !== undefined) countOn(meter, ferjeMetrics.partnerRetryAfter, state.tags, retryAfter);
    const nextPoll = header(response.headers, 'x-next-permitted-poll-time');
    if (nextPoll) {
      const wait = (Date.parse(nextPoll) - Date.now()) / 1000;
      if (wait > 0) countOn(meter, ferjeMetrics.pollWait, { integration: state.tags.integration }, wait);
    }
  });
  diagnostics.subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: UndiciRequest; error: Error };
    const state = inFlight.get(request);
    if (!state) return;
    inFlight.delete(request);
    const tags = { ...state.tags, status_class: error.name === 'AbortError' ? 'aborted' : 'network_error' };
    countOn(state.ctx.metricMeter, ferjeMetrics.partnerRequests, tags);
    observeOn(
      state.ctx.metricMeter,
      ferjeMetrics.partnerRequestDuration,
      (performance.now() - state.started) / 1000,
      tags,
    );
  });
}
