import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEformidlingActivities } from '../../../activities/eformidling';
import { taskQueues } from '../../contract/task-queues';
import type { IntegrationContext, IntegrationModule } from '../../platform/integration';
import { ensureLongLivedWorkflows, ensureSubscription } from './bootstrap';
import { EformidlingClient } from './client';
import { loadEformidlingConfig, type EformidlingConfig } from './config';
import { eformidlingWebhookRoute } from './webhook-route';

function configOf(ctx: IntegrationContext): () => EformidlingConfig {
  let config: EformidlingConfig | undefined;
  return () => (config ??= loadEformidlingConfig(ctx.env, ctx.config));
}

export const eformidlingModule: IntegrationModule = {
  name: 'eformidling',
  title: 'eFormidling 2',
  taskQueue: taskQueues.eformidling,
  createActivities: createEformidlingActivities,
  ingressRoutes: (ctx) => [eformidlingWebhookRoute(configOf(ctx))],

  async bootstrap(ctx) {
    const config = loadEformidlingConfig(ctx.env, ctx.config);
    const logger = ctx.logger.child('eformidling');
    const ip = new EformidlingClient({ baseUrl: config.baseUrl, username: config.username, password: config.password });
    try {
      const outcome = await ensureSubscription(ip, config);
      logger.info('webhook subscription', { outcome, name: config.subscriptionName });
    } catch (err) {
      // Webhooks are only a fast path: polling covers until the next start ensures the subscription again.
      logger.warn('could not ensure the webhook subscription', { error: (err as Error).name });
    } finally {
      await ip.close();
    }
    await ensureLongLivedWorkflows(ctx.client, config, logger);
  },

  // Loaded on demand: production workers never load the simulator or the demo.
  async startSimulator(options) {
    const { startEformidlingSimulator } = await import('../../simulators/eformidling/server.js');
    const sim = await startEformidlingSimulator({
      host: options.host,
      port: options.basePort,
      dataDir: options.dataDir,
      logger: options.logger,
      settings: {
        stepDelayMs: 1000,
        expiryCheckMs: 5000,
        statusQueueIncludes: ['DPO', 'DPF', 'DPV', 'DPI', 'DPE'],
      },
    });
    return {
      title: 'eFormidling IP',
      urls: { api: sim.url, control: `${sim.url}/_control/state` },
      env: {
        EFORMIDLING_BASE_URL: sim.url,
        EFORMIDLING_WEBHOOK_TOKEN: await stableWebhookToken(options.dataDir),
        EFORMIDLING_INBOX_ENABLED: 'true',
        EFORMIDLING_INBOX_POLL_INTERVAL: '15 seconds',
      },
      stop: () => sim.stop(),
    };
  },

  demo: async (ctx) => (await import('./demo.js')).eformidlingDemo(ctx),
};

/**
 * The dev stack's webhook path token, kept in the simulator's data folder: the subscription registered at the
 * (simulated) integrasjonspunkt names the push URL, so a new token on every start would orphan it after a restart.
 */
async function stableWebhookToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'webhook-token');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (/^[A-Za-z0-9_-]{32,128}$/.test(existing)) return existing;
  } catch {
    // first start: create it below
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
