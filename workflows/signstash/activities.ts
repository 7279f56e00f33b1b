import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { SignstashActivities } from '../../activities/signstash';

/** Prepare: local blob-store work; a few quick retries cover a busy disk. */
export function prepareActivities(summary: string) {
  return proxyActivities<SignstashActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
    summary,
  });
}

/**
 * Start: W-retry's protocol (three tries, a fixed interval apart, then a person looks at it). The client's HTTP
 * timeouts sit below startToCloseTimeout so an attempt ends on its own before Temporal gives up on it.
 */
export function startActivities(intervalMs: number, summary: string) {
  return proxyActivities<SignstashActivities>({
    startToCloseTimeout: '15 minutes',
    retry: { initialInterval: intervalMs, backoffCoefficient: 1, maximumAttempts: 3 },
    summary,
  });
}

// Above the client's default 30 s request timeout, low enough that a crashed worker's call is retried soon.
const checkOptions: ActivityOptions = {
  startToCloseTimeout: '45 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
};

/** One status call; unreachable/unknown come back as answers, so retries here only cover worker-side hiccups. */
export function checkActivities(summary: string) {
  return proxyActivities<SignstashActivities>({ ...checkOptions, summary });
}

/** Result download: streams many documents, so it heartbeats and may take long. */
export function fetchActivities(summary: string) {
  return proxyActivities<SignstashActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
    summary,
  });
}
