import { taskQueues } from '../contract/task-queues';
import type { IntegrationModule } from '../platform/integration';
import { ensureRetentionSchedule, loadRetentionScheduleSettings, pauseRetentionSchedule } from './retention-schedule';
import { openDocumentStores } from './stores';

/**
 * Ferje's own document housekeeping, plugged in like an integration: a task queue whose worker runs retention, and
 * a bootstrap that keeps the retention schedule in line with the configuration. The schedule is made here, at the
 * start of every worker of the documents queue, not by the cluster's one-shots: its settings (FERJE_DOCUMENTS_*)
 * live with the workers, not with the Temporal CLI one-shots that only know the namespace, and a schedule is only
 * useful where a worker polls its queue. Create-or-update is idempotent, so every start and every replica may run it.
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
      const schedule = await pauseRetentionSchedule(ctx.client);
      ctx.logger.info('documents retention is off (FERJE_DOCUMENTS_RETENTION=false)', { schedule });
      return;
    }
    const scheduleId = await ensureRetentionSchedule(ctx.client, settings);
    ctx.logger.info('documents retention scheduled', { scheduleId, every: settings.every, ...settings.input });
  },
};
