import type { IntegrationContext } from '../src/platform/integration';

/**
 * All activities of all integrations, for tooling that wants one object. Workers register each integration's
 * activities on its own task queue through the integration registry instead.
 */
export function createActivities(_ctx: IntegrationContext): Record<string, never> {
  return {};
}
