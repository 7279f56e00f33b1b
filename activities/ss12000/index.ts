import type { Ss12000Store } from '../../src/integrations/ss12000/store/store';
import { loadSs12000Config } from '../../src/modules/ss12000/config';
import type { IntegrationContext } from '../../src/platform/integration';
import { createActivityContext } from './deps';
import { registrationCallbackActivities } from './registration-callback';
import { subscriptionActivities } from './subscriptions';
import { syncActivities } from './sync';

export interface Ss12000ActivityDeps {
  /** Use this store instead of the configured embedded one (tests, other sinks). */
  store?: Ss12000Store;
}

export function createSs12000Activities(ctx: IntegrationContext, deps: Ss12000ActivityDeps = {}) {
  const config = loadSs12000Config(ctx.env, ctx.config);
  const shared = createActivityContext(config, ctx.logger.child('ss12000'), deps.store);
  return {
    ...subscriptionActivities(shared),
    ...syncActivities(shared),
    ...registrationCallbackActivities(shared),
  };
}

export type Ss12000Activities = ReturnType<typeof createSs12000Activities>;
