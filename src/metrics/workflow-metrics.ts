import { metricMeter, workflowInfo } from '@temporalio/workflow';
import { integrationOfTaskQueue, type CounterSpec, type HistogramSpec } from './catalog';
import { countOn, observeOn } from './meter';

/**
 * For workflow code: `workflowMetrics.count(ferjeMetrics.x, { status })`. The SDK's workflow meter emits nothing
 * while a history is replayed, so a count happens once per real event and no command changes (replay-safe).
 */
export const workflowMetrics = {
  count(spec: CounterSpec, tags: Record<string, unknown> = {}, value = 1): void {
    countOn(metricMeter, spec, { integration: integrationOfTaskQueue(workflowInfo().taskQueue), ...tags }, value);
  },
  observe(spec: HistogramSpec, value: number, tags: Record<string, unknown> = {}): void {
    observeOn(metricMeter, spec, value, { integration: integrationOfTaskQueue(workflowInfo().taskQueue), ...tags });
  },
};
