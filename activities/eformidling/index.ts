import type { IntegrationContext } from '../../src/platform/integration';
import { lazyDeps } from './deps';
import { createIncomingActivities } from './incoming';
import { createOutgoingActivities } from './outgoing';
import { createStatusQueueActivities } from './status-queue';

export type {
  CapabilitySummary,
  CapabilityAnswer,
  SendRequest,
  Inspection,
  SendOutcome,
  CreateOutcome,
} from './outgoing';
export type { Received } from './incoming';
export type { DrainResult } from './status-queue';

/** Every eFormidling activity; names are prefixed `eformidling` (they share a namespace with other integrations). */
export function createEformidlingActivities(ctx: IntegrationContext) {
  const deps = lazyDeps(ctx);
  return {
    ...createOutgoingActivities(deps),
    ...createIncomingActivities(deps),
    ...createStatusQueueActivities(deps),
  };
}

export type EformidlingActivities = ReturnType<typeof createEformidlingActivities>;
