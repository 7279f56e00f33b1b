import { metrics } from '../../metrics/activity-metrics';
import { ferjeMetrics } from '../../metrics/catalog';

/** A paged list as the read-ahead walks it: each page names the next by its token. */
export interface PageWalk<P extends { nextPageToken?: string }> {
  /** Everything that decides the request (huvudman, API, list, filters, limit, token): equal keys, equal requests. */
  key(pageToken: string | undefined): string;
  fetch(pageToken: string | undefined): Promise<P>;
}

interface Ahead {
  page: Promise<unknown>;
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
 * Why it pays: one activity per page puts a fixed Temporal cost between pages (scheduling, a workflow task), and the
 * GET is a third of a page's work here (more with a real network between Ferje and the huvudman); the two overlap.
 *
 * What it costs: a page fetched ahead that nobody takes (the pass was cancelled or failed, or the next activity ran
 * on another worker) is one GET too many; `ferje_ss12000_read_ahead_pages` counts those fetched and those used.
 * Eager activity dispatch keeps a pass's pages on the worker that runs its workflow tasks, so with several workers
 * they still mostly meet. At most `maxPages` answers are held, each for at most `ttlMs`.
 */
export class PageReadAhead {
  private readonly ahead = new Map<string, Ahead>();

  constructor(private readonly options: { maxPages: number; ttlMs: number } = { maxPages: 4, ttlMs: 30_000 }) {}

  /** The page for `pageToken` (fetched ahead if it was), after starting the request for the one it names next. */
  async page<P extends { nextPageToken?: string }>(walk: PageWalk<P>, pageToken: string | undefined): Promise<P> {
    const page = await (this.take<P>(walk.key(pageToken)) ?? walk.fetch(pageToken));
    if (page.nextPageToken !== undefined) this.start(walk, page.nextPageToken);
    return page;
  }

  /** How many answers are held now (for tests and the bench). */
  get held(): number {
    return this.ahead.size;
  }

  private take<P>(key: string): Promise<P> | undefined {
    const found = this.ahead.get(key);
    if (!found) return undefined;
    this.drop(key);
    metrics.count(ferjeMetrics.ss12000ReadAhead, { event: 'used' });
    return found.page as Promise<P>;
  }

  private start<P extends { nextPageToken?: string }>(walk: PageWalk<P>, pageToken: string): void {
    const key = walk.key(pageToken);
    if (this.ahead.has(key)) return;
    while (this.ahead.size >= this.options.maxPages) this.drop(this.ahead.keys().next().value as string);
    const page = walk.fetch(pageToken);
    // Held, not awaited yet: its failure is the taking attempt's failure, and unhandled until then.
    page.catch(() => undefined);
    const timer = setTimeout(() => this.drop(key), this.options.ttlMs);
    timer.unref();
    this.ahead.set(key, { page, timer });
    metrics.count(ferjeMetrics.ss12000ReadAhead, { event: 'fetched' });
  }

  private drop(key: string): void {
    const found = this.ahead.get(key);
    if (!found) return;
    clearTimeout(found.timer);
    this.ahead.delete(key);
  }
}
