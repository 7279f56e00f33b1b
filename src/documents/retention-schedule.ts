import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import {
  DEFAULT_RETAIN_AFTER_CLOSE,
  DEFAULT_UNUSED_UPLOAD_GRACE,
  documentsRetentionScheduleId,
  documentsRetentionWorkflowId,
  documentsWorkflowTypes,
  retentionPlanOf,
  type DocumentsRetentionInput,
} from '../contract/documents/retention';
import { searchAttributes } from '../contract/search-attributes';
import { taskQueues } from '../contract/task-queues';
import { envBool, envString, ConfigError, type Env } from '../config/env';

export interface RetentionScheduleSettings {
  enabled: boolean;
  /** How often a retention run starts (Temporal duration). */
  every: string;
  input: DocumentsRetentionInput;
}

/**
 * FERJE_DOCUMENTS_RETENTION (on by default), FERJE_DOCUMENTS_RETENTION_EVERY (`1 hour`),
 * FERJE_DOCUMENTS_RETAIN_AFTER_CLOSE (`30 days`), FERJE_DOCUMENTS_UNUSED_UPLOAD_GRACE (`7 days`). Checked at start-up
 * with the workflow's own validation, so a typo stops the worker instead of failing every scheduled run.
 */
export function loadRetentionScheduleSettings(env: Env): RetentionScheduleSettings {
  const input: DocumentsRetentionInput = {
    retainAfterClose: envString(env, 'FERJE_DOCUMENTS_RETAIN_AFTER_CLOSE', DEFAULT_RETAIN_AFTER_CLOSE),
    unusedUploadGrace: envString(env, 'FERJE_DOCUMENTS_UNUSED_UPLOAD_GRACE', DEFAULT_UNUSED_UPLOAD_GRACE),
  };
  try {
    retentionPlanOf(input);
  } catch (err) {
    throw new ConfigError(`FERJE_DOCUMENTS_RETAIN_AFTER_CLOSE / _UNUSED_UPLOAD_GRACE: ${(err as Error).message}`);
  }
  return {
    enabled: envBool(env, 'FERJE_DOCUMENTS_RETENTION', true),
    every: envString(env, 'FERJE_DOCUMENTS_RETENTION_EVERY', '1 hour'),
    input,
  };
}

/**
 * Creates the retention schedule, or brings an existing one in line with this deployment's settings. Runs never
 * overlap (a long pass makes the next one skip), and the schedule's recent actions list every run for the operator.
 */
export async function ensureRetentionSchedule(
  client: Client,
  settings: Pick<RetentionScheduleSettings, 'every' | 'input'>,
  names: { scheduleId?: string; taskQueue?: string } = {},
): Promise<string> {
  const scheduleId = names.scheduleId ?? documentsRetentionScheduleId;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: documentsWorkflowTypes.retention,
    workflowId: documentsRetentionWorkflowId,
    taskQueue: names.taskQueue ?? taskQueues.documents,
    args: [settings.input],
    typedSearchAttributes: [{ key: searchAttributes.integration, value: 'documents' }],
    staticSummary: 'Documents retention: delete documents only closed flows reference',
  };
  const spec = { intervals: [{ every: settings.every }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({
      ...previous,
      spec,
      action,
      // Paused because the setting was off, and on again now: resume. An operator's own pause stays as it is.
      state:
        previous.state.paused && previous.state.note === PAUSED_BY_SETTING
          ? { ...previous.state, paused: false, note: 'Resumed: FERJE_DOCUMENTS_RETENTION is on' }
          : previous.state,
    }));
  }
  return scheduleId;
}

/** The note of a schedule Ferje paused because FERJE_DOCUMENTS_RETENTION=false (and may therefore resume). */
export const PAUSED_BY_SETTING = 'Paused by Ferje: FERJE_DOCUMENTS_RETENTION=false';

/**
 * FERJE_DOCUMENTS_RETENTION=false on a deployment whose schedule already exists: pauses it (kept, with its history of
 * runs, and resumed when the setting is on again), so turning the setting off really stops deletion. No schedule: no-op.
 */
export async function pauseRetentionSchedule(
  client: Client,
  scheduleId: string = documentsRetentionScheduleId,
): Promise<'paused' | 'already paused' | 'absent'> {
  const handle = client.schedule.getHandle(scheduleId);
  try {
    if ((await handle.describe()).state.paused) return 'already paused';
    await handle.pause(PAUSED_BY_SETTING);
    return 'paused';
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return 'absent';
    throw err;
  }
}
