import { proxyActivities } from '@temporalio/workflow';
import type { EformidlingActivities } from '../../activities/eformidling';
import { activityOptions } from '../common';

/**
 * The integrasjonspunkt runs inside the customer's own network, next to Ferje: when it is down, waiting for it is
 * right and failing a message (or an inbox) is not. So every eFormidling proxy retries until the IP answers (the
 * client classifies 4xx as non-retryable), with the profile's timeouts and heartbeats. A message's transfers are also
 * bounded by the message's lifetime (see `transfers`).
 */
const untilTheIpAnswers = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: Number.POSITIVE_INFINITY,
} as const;

/** One request to the IP (capabilities, create, send, statuses, acknowledge). */
export const ip = proxyActivities<EformidlingActivities>(activityOptions('partnerCall', { retry: untilTheIpAnswers }));

/**
 * `POST /api/messages/out/{id}` exactly once per call: the IP's send is not idempotent, so Temporal must never repeat
 * it. The activity reports what it knows (taken / not taken / unknown) and the workflow decides what follows.
 */
export const ipOnce = proxyActivities<EformidlingActivities>(
  activityOptions('partnerCall', {
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 1 },
  }),
);

/** Streaming from the IP into the blob store, and draining the status queue: long, heartbeating all along. */
export const longIpWork = (summary: string): EformidlingActivities =>
  proxyActivities<EformidlingActivities>(activityOptions('partnerTransfer', { summary, retry: untilTheIpAnswers }));

/** Signal-with-start of a consumer's workflow: Temporal itself. */
export const temporal = proxyActivities<EformidlingActivities>(activityOptions('temporalCall'));

/** Ferje's own stores: check the stored blobs and record them in the journal. */
export const store = (summary: string): EformidlingActivities =>
  proxyActivities<EformidlingActivities>(activityOptions('localStore', { summary }));

/**
 * Uploads of one outgoing message. Retrying a transfer past the message's lifetime is pointless (the IP would refuse
 * it as expired), so the whole schedule ends at the deadline.
 */
export function transfers(deadlineMs: number, nowMs: number, summary: string): EformidlingActivities {
  return proxyActivities<EformidlingActivities>({
    ...activityOptions('partnerTransfer', { summary, retry: untilTheIpAnswers }),
    scheduleToCloseTimeout: Math.max(60_000, deadlineMs - nowMs),
  });
}
