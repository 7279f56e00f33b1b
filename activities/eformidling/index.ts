import type { IntegrationContext } from '../../src/platform/integration';
import { withHeartbeats } from '../common/heartbeat';
import { lazyDeps } from './deps';
import { createIncomingActivities } from './incoming';
import { createOutgoingActivities } from './outgoing';
import { createSendOnceActivities } from './send-once';
import { createStatusQueueActivities } from './status-queue';

export type { CapabilitySummary, CapabilityAnswer, SendRequest, Inspection } from './outgoing';
export type { Received } from './incoming';
export type { SendAttempt } from './send-once';
export type { DrainResult } from './status-queue';

/**
 * Every eFormidling activity; names are prefixed `eformidling` (they share a namespace with other integrations).
 * Every one heartbeats while it runs (uploads, downloads and queue drains can take minutes; a single IP call can hang
 * until its timeout), so the profiles' heartbeat timeouts notice a crashed worker within seconds.
 */
export function createEformidlingActivities(ctx: IntegrationContext) {
  const deps = lazyDeps(ctx);
  return heartbeating({
    ...createOutgoingActivities(deps),
    ...createSendOnceActivities(deps),
    ...createIncomingActivities(deps),
    ...createStatusQueueActivities(deps),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function heartbeating<T extends Record<string, (input: any) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = (input) => withHeartbeats(() => activity(input));
  }
  return wrapped as T;
}

export type EformidlingActivities = ReturnType<typeof createEformidlingActivities>;
