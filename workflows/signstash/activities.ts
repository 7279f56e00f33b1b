import { proxyActivities } from '@temporalio/workflow';
import type { SignstashActivities } from '../../activities/signstash';
import { activityOptions } from '../common';

/**
 * One proxy per activity profile (workflows/common/activity-profiles). Each takes the UI summary of its call; no call
 * site overrides anything else. Every profile that allows a long attempt has a heartbeat timeout, and the activities
 * under it heartbeat, so a killed worker's attempt is retried within seconds, not after the start-to-close timeout.
 */

/** Prepare: local blob-store work (may be thousands of documents): heartbeats, a few quick retries. */
export function prepareActivities(summary: string) {
  return proxyActivities<SignstashActivities>(activityOptions('localStore', { summary }));
}

/**
 * Start: W-retry's protocol, a whole policy (three tries, a fixed interval apart, then a person looks at it). The
 * upload streams every document, so it runs under the transfer profile's heartbeat timeout; the client's HTTP
 * timeouts (transfer timeout 10 minutes by default) sit below the start-to-close timeout so an attempt ends on its own.
 */
export function startActivities(intervalMs: number, summary: string) {
  return proxyActivities<SignstashActivities>(
    activityOptions('partnerTransfer', {
      summary,
      startToCloseTimeout: '15 minutes',
      retry: { initialInterval: intervalMs, backoffCoefficient: 1, maximumInterval: intervalMs, maximumAttempts: 3 },
    }),
  );
}

/** One status call; unreachable/unknown come back as answers, so retries here only cover worker-side hiccups. */
export function checkActivities(summary: string) {
  return proxyActivities<SignstashActivities>(activityOptions('statusCheck', { summary }));
}

/** Result download: streams many documents into the blob store, heartbeating all along. */
export function fetchActivities(summary: string) {
  return proxyActivities<SignstashActivities>(activityOptions('partnerTransfer', { summary }));
}
