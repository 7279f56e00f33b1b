import type { IntegrationContext } from '../src/platform/integration';
import { createPostenSigneringActivities } from './posten-signering';
import { createEformidlingActivities } from './eformidling';
import { createSs12000Activities } from './ss12000';
import { createSignstashActivities } from './signstash';

/**
 * All activities of all integrations, for tooling that wants one object. Workers register each integration's
 * activities on its own task queue through the integration registry instead.
 */
export function createActivities(ctx: IntegrationContext): object {
  return {
    ...createPostenSigneringActivities(ctx),
    ...createEformidlingActivities(ctx),
    ...createSignstashActivities(ctx),
    ...createSs12000Activities(ctx),
  };
}
export * from './documents';
