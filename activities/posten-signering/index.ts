import type { IntegrationContext } from '../../src/platform/integration';
import { createJobActivities } from './job';
import { createQueueActivities } from './status-queue';
import { createPostenRuntime } from './runtime';

/** Every activity of the Posten signering integration, sharing one client (and rate budget) per worker process. */
export function createPostenSigneringActivities(ctx: IntegrationContext) {
  const rt = createPostenRuntime(ctx);
  return { ...createJobActivities(rt), ...createQueueActivities(rt) };
}

export type PostenSigneringActivities = ReturnType<typeof createPostenSigneringActivities>;
export type { CreatedJob } from './job';
export type { DrainResult } from './status-queue';
