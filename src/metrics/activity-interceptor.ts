import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptors,
  Next,
} from '@temporalio/worker';
import { ferjeMetrics, integrationOfTaskQueue } from './catalog';
import { countOn, observeOn } from './meter';

/**
 * One count and one duration per activity attempt for every integration, with no code in the activities: outcome
 * `completed`, `failed` (with the failure's type and whether it is retryable) or `cancelled`.
 */
export function activityMetricsInterceptor(ctx: Context): ActivityInterceptors {
  const inbound: ActivityInboundCallsInterceptor = {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
      const started = performance.now();
      // The activity's meter already carries namespace, taskQueue and activityType.
      const base = { integration: integrationOfTaskQueue(ctx.info.taskQueue) };
      const record = (tags: Record<string, unknown>): void => {
        countOn(ctx.metricMeter, ferjeMetrics.activityOutcomes, { ...base, ...tags });
        observeOn(ctx.metricMeter, ferjeMetrics.activityDuration, (performance.now() - started) / 1000, {
          ...base,
          outcome: tags.outcome,
        });
      };
      try {
        const result: unknown = await next(input);
        record({ outcome: 'completed', failure_type: 'none', retryable: 'none' });
        return result;
      } catch (err) {
        if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) {
          record({ outcome: 'cancelled', failure_type: 'Cancelled', retryable: 'false' });
        } else {
          const app = err instanceof ApplicationFailure ? err : undefined;
          record({
            outcome: 'failed',
            failure_type: app?.type ?? (err as Error).name,
            retryable: String(!app?.nonRetryable),
          });
        }
        throw err;
      }
    },
  };
  return { inbound };
}
