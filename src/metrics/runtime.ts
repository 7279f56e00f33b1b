import { Runtime, type Logger as SdkLogger } from '@temporalio/worker';
import type { Env } from '../config/env';
import { metricsAddress } from './config';
import { logsAt, parseLogLevel } from '../logging/logger';
import { installPartnerHttpMetrics } from './partner-http';

/**
 * The SDK Runtime of a worker process, with the Prometheus exporter on FERJE_METRICS_ADDRESS: the SDK's worker
 * metrics (`temporal_…`: pollers, task latencies, slots) and Ferje's own (`ferje_…`) from the same endpoint.
 * Counters get the conventional `_total` suffix and durations are in seconds.
 */
export function installFerjeRuntime(options: { env: Env; logger: SdkLogger; shutdownSignals?: NodeJS.Signals[] }): {
  metricsUrl?: string;
} {
  const address = metricsAddress(options.env);
  Runtime.install({
    logger: options.logger,
    ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
    ...(address
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: { bindAddress: address.bindAddress, countersTotalSuffix: true, useSecondsForDurations: true },
            },
          },
        }
      : {}),
  });
  // The process's logger reads the same variable (logging/logger.ts).
  installPartnerHttpMetrics({ responseLogLines: logsAt(parseLogLevel(options.env.FERJE_LOG_LEVEL), 'DEBUG') });
  return address ? { metricsUrl: `http://${address.bindAddress}/metrics` } : {};
}
