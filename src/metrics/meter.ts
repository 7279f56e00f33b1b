import type { MetricMeter, MetricTags } from '@temporalio/common';
import { safeLabel, type CounterSpec, type HistogramSpec } from './catalog';

/**
 * The tiny API the rest of Ferje uses: count or observe a catalogued metric on an SDK metric meter (the activity's
 * `Context.current().metricMeter`, the workflow's `metricMeter`, or the Runtime's). The SDK's Prometheus exporter
 * serves the values. Instruments are not cached: the workflow meter composes the current workflow's tags at
 * creation, and Core already shares one instrument per name. Workflow-safe: no Node APIs.
 */
export function cleanTags(tags: Record<string, unknown>): MetricTags {
  const out: MetricTags = {};
  for (const [k, v] of Object.entries(tags)) out[k] = safeLabel(v);
  return out;
}

export function countOn(meter: MetricMeter, spec: CounterSpec, tags: Record<string, unknown> = {}, value = 1): void {
  if (!Number.isFinite(value) || value <= 0) return;
  meter.createCounter(spec.name, undefined, spec.description).add(Math.round(value), cleanTags(tags));
}

export function observeOn(
  meter: MetricMeter,
  spec: HistogramSpec,
  value: number,
  tags: Record<string, unknown> = {},
): void {
  if (!Number.isFinite(value) || value < 0) return;
  meter.createHistogram(spec.name, 'float', spec.unit, spec.description).record(value, cleanTags(tags));
}
