import { taskQueues } from '../contract/task-queues';
import type { IntegrationModule } from '../platform/integration';
import { ensureRetentionSchedule, loadRetentionScheduleSettings } from './retention-schedule';
import { openDocumentStores } from './stores';

/**
 * Ferje's own document housekeeping, plugged in like an integration: a task queue whose worker runs retention, and
 * a bootstrap that keeps the retention schedule in line with the configuration.
 */
export const documentsModule: IntegrationModule = {
  name: 'documents',
  title: 'Documents',
  taskQueue: taskQueues.documents,
  // Loaded only where this queue is served.
  createActivities: async (ctx) =>
    (await import('../../activities/documents/index.js')).createDocumentsActivities({
      stores: openDocumentStores(ctx.config, ctx.env),
      client: ctx.client,
      logger: ctx.logger.child('documents'),
    }),
  async bootstrap(ctx) {
    const settings = loadRetentionScheduleSettings(ctx.env);
    if (!settings.enabled) {
      ctx.logger.info('documents retention is off (FERJE_DOCUMENTS_RETENTION=false)');
      return;
    }
    const scheduleId = await ensureRetentionSchedule(ctx.client, settings);
    ctx.logger.info('documents retention scheduled', { scheduleId, every: settings.every, ...settings.input });
  },
};
