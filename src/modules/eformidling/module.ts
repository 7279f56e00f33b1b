import { taskQueues } from '../../contract/task-queues';
import type { IntegrationContext, IntegrationModule } from '../../platform/integration';
import { ensureLongLivedWorkflows, ensureSubscription } from './bootstrap';
import { loadEformidlingConfig, type EformidlingConfig } from './config';
import { eformidlingWebhookRoute } from './ingress-route';
import { startSimulator } from './simulator';
import { SubscriptionHealth, subscriptionStatus, tellInboxes, type SubscriptionOutcome } from './subscription-health';

const healthOf = new WeakMap<IntegrationContext, SubscriptionHealth>();
export const subscriptionHealth = (ctx: IntegrationContext): SubscriptionHealth => {
  let health = healthOf.get(ctx);
  if (!health) healthOf.set(ctx, (health = new SubscriptionHealth()));
  return health;
};

function configOf(ctx: IntegrationContext): () => EformidlingConfig {
  let config: EformidlingConfig | undefined;
  return () => (config ??= loadEformidlingConfig(ctx.env, ctx.config));
}

export const eformidlingModule: IntegrationModule = {
  name: 'eformidling',
  title: 'eFormidling 2',
  taskQueue: taskQueues.eformidling,
  // Loaded only where this queue is served, with the IP client and its connection pool.
  createActivities: async (ctx) =>
    (await import('../../../activities/eformidling/index.js')).createEformidlingActivities(ctx),
  ingressRoutes: (ctx) => [eformidlingWebhookRoute(configOf(ctx))],

  async bootstrap(ctx) {
    const config = loadEformidlingConfig(ctx.env, ctx.config);
    const logger = ctx.logger.child('eformidling');
    const { EformidlingClient } = await import('../../integrations/eformidling/client.js');
    const ip = new EformidlingClient({ baseUrl: config.baseUrl, username: config.username, password: config.password });
    let outcome: SubscriptionOutcome | { error: unknown };
    try {
      outcome = await ensureSubscription(ip, config);
      logger.info('webhook subscription', { outcome, name: config.subscriptionName });
    } catch (err) {
      outcome = { error: err };
    } finally {
      await ip.close();
    }
    const status = subscriptionStatus(outcome, new Date().toISOString());
    subscriptionHealth(ctx).status = status;
    // Webhooks are only a fast path: polling covers until the next start ensures the subscription again.
    if (status && status.state !== 'active')
      logger.warn(`webhook subscription ${status.state}; inboxes and messages are polled`, {
        reason: status.reason,
        name: config.subscriptionName,
      });
    await ensureLongLivedWorkflows(ctx.client, config, logger);
    if (status) await tellInboxes(ctx.client, config, status, logger);
  },

  readinessChecks: (ctx) => [subscriptionHealth(ctx).readinessCheck()],

  // The simulator and the demo are imported on demand: production workers never load them.
  startSimulator,

  demo: async (ctx) => (await import('./demo.js')).eformidlingDemo(ctx),
};
