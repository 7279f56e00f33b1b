import { metrics } from '../../metrics/activity-metrics';
import { ferjeMetrics } from '../../metrics/catalog';

/** A paged list as the read-ahead walks it: each page names the next by its token. */
export interface PageWalk<A, P extends { nextPageToken?: string }> {
  /** Everything that decides the request (huvudman, API, list, filters, limit, token): equal keys, equal requests. */
  key(pageToken: string | undefined): string;
  /** The request: its answer as it came (HTTP failures thrown here). */
  fetch(pageToken: string | undefined): Promise<A>;
  /**
   * The answer made a page (a bad body thrown here). Done by the activity that takes the answer, not when the answer
   * arrives: then it would run in the middle of whatever the worker is doing, a workflow task on its way among them.
   */
  read(answer: A): P;
}

interface Ahead {
  answer: Promise<unknown>;
  timer: NodeJS.Timeout;
}

/**
 * The next page of a sync step, requested as soon as this page's answer names it, so that the huvudman serves it
 * while this page is validated, stored and reported, and while Temporal schedules the next page's activity.
 *
 * Why it is safe: a list GET has no side effect, and the next page is the request the pass makes next anyway. The
 * page activity that asks for exactly that request takes the answer, whatever it was: a failed GET fetched ahead is
 * that activity's first attempt failing, so a page still gets three GETs in all, never four. Nothing else changes:
 * the workflow keeps the page token, a crash still repeats one page, and a page still passes one at a time.
 *
 * Why it pays: the GET's time is the huvudman's (its server, the network between), and with one activity per page
 * the worker would otherwise wait for it on every page; now it overlaps this page's work and the Temporal round trip
 * to the next page's activity. With the huvudman 20 ms away a full sync took 8-17 % less time; on loopback, on two
 * cores shared with the simulator, the gain was within this machine's noise (docs/cost-and-scale.md, "Read-ahead").
 *
 * What it costs: a page fetched ahead that nobody takes (the pass was cancelled or failed, or the next page's
 * activity ran on another worker) is one GET too many; `ferje_ss12000_read_ahead_pages` counts those fetched and
 * those used. A pass's page activities are dispatched eagerly to the worker that completed its workflow task, so they
 * tend to stay on one worker. At most `maxPages` answers are held (as bytes), each for at most `ttlMs`.
 */
export class PageReadAhead {
  private readonly ahead = new Map<string, Ahead>();

  constructor(private readonly options: { maxPages: number; ttlMs: number } = { maxPages: 4, ttlMs: 30_000 }) {}

  /** The page for `pageToken` (fetched ahead if it was), after starting the request for the one it names next. */
  async page<A, P extends { nextPageToken?: string }>(walk: PageWalk<A, P>, pageToken: string | undefined): Promise<P> {
    const page = walk.read(await (this.take<A>(walk.key(pageToken)) ?? walk.fetch(pageToken)));
    if (page.nextPageToken !== undefined) this.start(walk, page.nextPageToken);
    return page;
  }

  /** How many answers are held now (for tests). */
  get held(): number {
    return this.ahead.size;
  }

  private take<A>(key: string): Promise<A> | undefined {
    const found = this.ahead.get(key);
    if (!found) return undefined;
    this.drop(key);
    metrics.count(ferjeMetrics.ss12000ReadAhead, { event: 'used' });
    return found.answer as Promise<A>;
  }

  private start<A, P extends { nextPageToken?: string }>(walk: PageWalk<A, P>, pageToken: string): void {
    const key = walk.key(pageToken);
    if (this.ahead.has(key)) return;
    while (this.ahead.size >= this.options.maxPages) this.drop(this.ahead.keys().next().value as string);
    const answer = walk.fetch(pageToken);
    // Held, not awaited yet: its failure is the taking attempt's failure, and unhandled until then.
    answer.catch(() => undefined);
    const timer = setTimeout(() => this.drop(key), this.options.ttlMs);
    timer.unref();
    this.ahead.set(key, { answer, timer });
    metrics.count(ferjeMetrics.ss12000ReadAhead, { event: 'fetched' });
  }

  private drop(key: string): void {
    const found = this.ahead.get(key);
    if (!found) return;
    clearTimeout(found.timer);
    this.ahead.delete(key);
  }
}
