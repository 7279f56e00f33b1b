import type { temporal } from '@temporalio/proto';
import { median } from '../common/median';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Where a full sync's wall time went, from the subscription's and the pass's histories (milliseconds). */
export interface PassTimeline {
  /** Subscription workflow started → first page activity scheduled (endpoint check, POST /subscriptions, child start). */
  msBeforeFirstPage: number;
  /** Page activities: scheduled → completed, median, mean and sum. */
  pageActivityMsMedian: number;
  pageActivityMsMean: number;
  pageActivityMsTotal: number;
  /** Page activity scheduled → started (waiting in the task queue), median. */
  pageQueuedMsMedian: number;
  /** One page completed → the next scheduled (a workflow task in between), median. */
  pageGapMsMedian: number;
  /** Workflow tasks of the pass: scheduled → started (reaching the worker), started → completed (on the worker). */
  workflowTaskQueuedMsMedian: number;
  workflowTaskRunMsMedian: number;
  /** Last page completed → pass workflow completed. */
  msAfterLastPage: number;
  pages: number;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

const r1 = (x: number): number => Math.round(x * 10) / 10;

export function passTimeline(subscription: HistoryEvent[], pass: HistoryEvent[]): PassTimeline {
  const started = ms(subscription[0]?.eventTime);
  const byId = new Map(pass.map((e) => [String(e.eventId), e]));
  const pages: { scheduled: number; started: number; completed: number }[] = [];
  for (const e of pass) {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done) continue;
    const scheduled = byId.get(String(done.scheduledEventId));
    if (scheduled?.activityTaskScheduledEventAttributes?.activityType?.name !== 'ss12000SyncPage') continue;
    pages.push({
      scheduled: ms(scheduled.eventTime),
      started: ms(byId.get(String(done.startedEventId))?.eventTime),
      completed: ms(e.eventTime),
    });
  }
  const closed = pass.at(-1);
  const tasks: { scheduled: number; started?: number; completed?: number }[] = [];
  for (const e of pass) {
    if (e.workflowTaskScheduledEventAttributes) tasks.push({ scheduled: ms(e.eventTime) });
    else if (e.workflowTaskStartedEventAttributes && tasks.length > 0)
      tasks[tasks.length - 1].started = ms(e.eventTime);
    else if (e.workflowTaskCompletedEventAttributes && tasks.length > 0)
      tasks[tasks.length - 1].completed = ms(e.eventTime);
  }
  const ran = tasks.filter((t) => t.started !== undefined && t.completed !== undefined);
  return {
    msBeforeFirstPage: r1((pages[0]?.scheduled ?? started) - started),
    pageActivityMsMedian: r1(median(pages.map((p) => p.completed - p.scheduled))),
    pageActivityMsMean: r1(pages.reduce((n, p) => n + p.completed - p.scheduled, 0) / Math.max(1, pages.length)),
    pageActivityMsTotal: r1(pages.reduce((n, p) => n + p.completed - p.scheduled, 0)),
    pageQueuedMsMedian: r1(median(pages.map((p) => p.started - p.scheduled))),
    pageGapMsMedian: r1(median(pages.slice(1).map((p, i) => p.scheduled - pages[i].completed))),
    workflowTaskQueuedMsMedian: r1(median(ran.map((t) => t.started! - t.scheduled))),
    workflowTaskRunMsMedian: r1(median(ran.map((t) => t.completed! - t.started!))),
    msAfterLastPage: r1(ms(closed?.eventTime) - (pages.at(-1)?.completed ?? 0)),
    pages: pages.length,
  };
}
