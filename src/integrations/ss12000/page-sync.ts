import { randomUUID } from 'node:crypto';
import { metrics } from '../../metrics/activity-metrics';
import { ferjeMetrics } from '../../metrics/catalog';
import type { ResourceType, SyncStep } from '../../contract/ss12000';
import type { Logger } from '../../logging/logger';
import { parseEntity, type ListQuery, type Ss12000ApiClient } from './api-client';
import { listPaths, type LogEntry, type StatisticsEntry } from './model';
import type { EntityRow, Ss12000Store } from './store/store';
import type { EntityValidator } from './validation';
import type { PageReadAhead, PageWalk } from './read-ahead';

export interface PageRequest {
  huvudman: string;
  step: SyncStep;
  /** `meta.modified.after` / `after` for the first page of a step. */
  since?: string;
  pageToken?: string;
  limit: number;
  /** For the Deleted step: which types the subscription keeps. */
  keptTypes: ResourceType[];
}

/** Counts only: the page itself never leaves the activity. */
export interface PageCounts {
  fetched: number;
  stored: number;
  invalid: number;
  deleted: number;
  nextPageToken?: string;
  logEntriesPosted: number;
  reportsFailed: number;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}

/**
 * One page of a sync step: GET, validate every entity, upsert the valid ones in one transaction, report the invalid
 * ones (`POST /log`) and the page (`POST /statistics`). Reporting is best effort: the data is stored either way, and
 * a failed report is counted, not retried (a retry would GET the page again).
 */
export class PageSyncer {
  constructor(
    private readonly deps: {
      client: Ss12000ApiClient;
      validator: EntityValidator;
      store: Ss12000Store;
      reportConcurrency: number;
      logger: Logger;
      /** The worker's read-ahead (read-ahead.ts); without one, each page is one GET when its activity runs. */
      readAhead?: PageReadAhead;
    },
  ) {}

  async syncPage(req: PageRequest): Promise<PageCounts> {
    return req.step === 'Deleted' ? this.deletedPage(req) : this.entityPage(req, req.step);
  }

  private async entityPage(req: PageRequest, type: ResourceType): Promise<PageCounts> {
    const { client, validator, store } = this.deps;
    // Entities as text, each parsed only while it is validated: the page's objects never all live at once, and the
    // stored body is the entity's text exactly as fetched (see list-body.ts).
    const page = await this.fetchPage(
      req,
      type,
      (query) => client.fetchListAnswer(type, query),
      (answer) => client.readListAnswer(answer),
    );
    const rows: EntityRow[] = [];
    const logs: LogEntry[] = [];
    const now = new Date().toISOString();
    const path = listPaths[type];
    for (const text of page.entityTexts) {
      const result = validator.validate(type, parseEntity(path, text));
      if (result.valid) {
        rows.push({ id: result.id, modified: result.modified, body: text });
      } else {
        logs.push({
          message: `${type} failed validation and was not stored: ${result.problems.join('; ')}`,
          severityLevel: result.severity,
          messageType: result.messageType,
          resourceType: type,
          // Skolverket's client posts "LogEntry with error message and code. Random generated resource ID."
          // (seeds/ss12000-client-dnp.sv.md): a fresh UUID per entry, never the entity's id. Generated here, in the
          // activity, so no workflow code (and no replay) ever sees it.
          resourceId: randomUUID(),
          resourceUrl: page.resourceUrl,
          timeOfOccurance: now,
        });
      }
    }
    const stored = await store.upsert(req.huvudman, type, rows);
    metrics.count(ferjeMetrics.ss12000Entities, { resource_type: type, result: 'stored' }, stored);
    metrics.count(ferjeMetrics.ss12000Entities, { resource_type: type, result: 'invalid' }, logs.length);
    const failedReports = await this.report(logs, [
      {
        resourceType: type,
        newCount: 0,
        updatedCount: stored,
        deletedCount: 0,
        resourceUrl: page.resourceUrl,
        timeOfOccurance: now,
      },
    ]);
    return {
      fetched: page.entityTexts.length,
      stored,
      invalid: logs.length,
      deleted: 0,
      nextPageToken: page.nextPageToken,
      logEntriesPosted: logs.length - failedReports.logs,
      reportsFailed: failedReports.logs + failedReports.statistics,
    };
  }

  private async deletedPage(req: PageRequest): Promise<PageCounts> {
    const { client, store } = this.deps;
    const page = await this.fetchPage(
      req,
      'Deleted',
      (query) => client.deletedEntitiesPage({ ...query, entities: req.keptTypes }),
      (answer) => answer,
    );
    const now = new Date().toISOString();
    let deleted = 0;
    let fetched = 0;
    const statistics: StatisticsEntry[] = [];
    for (const type of req.keptTypes) {
      const ids = page.deleted[type] ?? [];
      if (ids.length === 0) continue;
      fetched += ids.length;
      const marked = await store.softDelete(req.huvudman, type, ids, now);
      deleted += marked;
      statistics.push({
        resourceType: type,
        newCount: 0,
        updatedCount: 0,
        deletedCount: ids.length,
        resourceUrl: page.resourceUrl,
        timeOfOccurance: now,
      });
    }
    const failed = await this.report([], statistics);
    return {
      fetched,
      stored: 0,
      invalid: 0,
      deleted,
      nextPageToken: page.nextPageToken,
      logEntriesPosted: 0,
      reportsFailed: failed.logs + failed.statistics,
    };
  }

  /** The request's page: taken from the read-ahead if it fetched it, else fetched now. */
  private async fetchPage<A, P extends { nextPageToken?: string }>(
    req: PageRequest,
    list: SyncStep,
    fetch: (query: ListQuery) => Promise<A>,
    read: (answer: A) => P,
  ): Promise<P> {
    const walk: PageWalk<A, P> = {
      key: (pageToken) =>
        JSON.stringify([req.huvudman, this.deps.client.baseUrl, list, req.since, req.limit, req.keptTypes, pageToken]),
      fetch: (pageToken) => fetch({ limit: req.limit, modifiedAfter: req.since, pageToken }),
      read,
    };
    return this.deps.readAhead ? this.deps.readAhead.page(walk, req.pageToken) : read(await walk.fetch(req.pageToken));
  }

  private async report(logs: LogEntry[], statistics: StatisticsEntry[]): Promise<{ logs: number; statistics: number }> {
    const failed = { logs: 0, statistics: 0 };
    await inParallel(logs, this.deps.reportConcurrency, async (entry) => {
      await this.deps.client.postLog(entry).catch(() => failed.logs++);
    });
    for (const entry of statistics) {
      await this.deps.client.postStatistics(entry).catch(() => failed.statistics++);
    }
    if (failed.logs + failed.statistics > 0) {
      this.deps.logger.warn('ss12000 reports not accepted by the huvudman API', failed);
    }
    return failed;
  }
}
