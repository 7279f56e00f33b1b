import { Context } from '@temporalio/activity';
import type { CounterSpec, HistogramSpec } from './catalog';
import { integrationOfTaskQueue } from './catalog';
import { countOn, observeOn } from './meter';

/**
 * For activities and the code they call: `metrics.count(ferjeMetrics.x, { status })`. Outside an activity (CLI,
 * ingress, tests calling clients directly) it does nothing, so shared client code may call it freely.
 */
function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export const metrics = {
  count(spec: CounterSpec, tags: Record<string, unknown> = {}, value = 1): void {
    const ctx = currentActivity();
    if (ctx)
      countOn(ctx.metricMeter, spec, { integration: integrationOfTaskQueue(ctx.info.taskQueue), ...tags }, value);
  },
  observe(spec: HistogramSpec, value: number, tags: Record<string, unknown> = {}): void {
    const ctx = currentActivity();
    if (ctx)
      observeOn(ctx.metricMeter, spec, value, { integration: integrationOfTaskQueue(ctx.info.taskQueue), ...tags });
  },
};
