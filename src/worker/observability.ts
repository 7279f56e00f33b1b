import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { activityMetricsInterceptor } from '../metrics/activity-interceptor';
import { setupTracing } from '../tracing/tracing';

/**
 * What every Ferje worker adds for operations: activity metrics and spans (inbound interceptors), and the sink
 * through which the bundled workflow interceptors hand their spans to this process's exporter. The workflow side
 * is in the bundle (src/worker/bundle.ts), so prebuilt bundles carry it too.
 */
export function workerObservability(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = setupTracing(process.env, 'ferje-worker'); // the process's tracing, if set up already
  return {
    interceptors: {
      activity: [
        activityMetricsInterceptor,
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
