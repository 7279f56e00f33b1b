import { taskQueues } from '../../contract/task-queues';
import type { IntegrationContext, IntegrationModule } from '../../platform/integration';
import { loadSs12000Config } from './config';
import { ss12000StatusCommandInfo } from './cli-info';
import { lazyCliCommand } from '../../platform/lazy';
import { ss12000WebhookRoute } from './ingress-route';
import { JwksCache, WebhookAuthenticator } from '../../integrations/ss12000/webhook-auth';
import { startSs12000Simulator } from './simulator';

export const ss12000Module: IntegrationModule = {
  name: 'ss12000',
  title: 'SS12000 school data',
  taskQueue: taskQueues.ss12000,
  // Loaded only where this queue is served: the schema validator and the store (SQLite as WASM, or pg) come with it.
  createActivities: async (ctx: IntegrationContext) =>
    (await import('../../../activities/ss12000/index.js')).createSs12000Activities(ctx),
  // The embedded store serialises writes anyway; a few pages in flight keep the huvudman API and the store busy.
  workerOptions: () => ({ maxConcurrentActivityTaskExecutions: 8 }),
  ingressRoutes(ctx) {
    const config = loadSs12000Config(ctx.env, ctx.config);
    const jwks = config.webhook.jwksUrl ? new JwksCache(config.webhook.jwksUrl) : undefined;
    if (!jwks) ctx.logger.warn('SS12000_WEBHOOK_JWKS_URL is not set: every ss12000 webhook will be refused');
    return [ss12000WebhookRoute(new WebhookAuthenticator(config.webhook, jwks), ctx.logger.child('ss12000'))];
  },
  startSimulator: startSs12000Simulator,
  demo: async (ctx) => (await import('./demo.js')).runSs12000Demo(ctx),
  cliCommands: [lazyCliCommand(ss12000StatusCommandInfo, async () => (await import('./cli.js')).ss12000StatusCommand)],
};
