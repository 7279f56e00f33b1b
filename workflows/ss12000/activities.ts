import { proxyActivities } from '@temporalio/workflow';
import { activityOptions } from '../common';
import type { Ss12000Activities } from '../../activities/ss12000';

/**
 * The SS12000 activity proxies, one per profile (workflows/common/activity-profiles.ts). Where the protocol fixes a
 * retry policy, the whole policy is given here, never at a call site.
 */

// DNP gives every request to a huvudman three attempts (the first counts) before it calls the step failed.
const threeAttempts = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 3,
} as const;

/** Subscription create/renew/delete and failure reports: one request each, three attempts. */
export const partner = proxyActivities<Ss12000Activities>(activityOptions('partnerCall', { retry: threeAttempts }));

/**
 * One page of a sync pass (GET, validate, store, report). The short heartbeat timeout is how soon another worker
 * takes a page over when the one running it dies.
 */
export const pages = proxyActivities<Ss12000Activities>(
  activityOptions('partnerCall', {
    startToCloseTimeout: '3 minutes',
    heartbeatTimeout: '10 seconds',
    retry: threeAttempts,
  }),
);

/** The registration callback to AP: retried for about an hour and a half (AP may be down for a deploy). */
export const callbacks = proxyActivities<Ss12000Activities>(
  activityOptions('partnerCall', {
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
  }),
);

/** Watermarks mirrored into Ferje's own store. */
export const store = proxyActivities<Ss12000Activities>(activityOptions('localStore'));

/** Checking the input's endpoints against Ferje's configuration (no partner call). */
export const checks = proxyActivities<Ss12000Activities>(activityOptions('statusCheck'));
