import { WorkflowFailedError, type Client } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { searchAttributes } from '../contract/search-attributes';

export interface PendingActivityReport {
  activityType: string;
  state: string;
  attempt: number;
  lastFailure?: string;
  nextAttemptAt?: string;
}

export interface WorkflowReport {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  historyLength: number;
  summary?: string;
  currentDetails?: string;
  integration?: string;
  ferjeStatus?: string;
  externalReference?: string;
  pendingActivities: PendingActivityReport[];
  failure?: string;
}

/** An error and its causes as one sentence an operator can read ("A: B: C"). */
export function failureInWords(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 8; depth++) {
    const e = current as Error & { type?: string; cause?: unknown; activityType?: string; retryState?: unknown };
    let text = e.message || e.name;
    if (e.activityType) text = `activity ${e.activityType} failed`;
    if (e.type) text += ` [${e.type}]`;
    if (!parts.includes(text)) parts.push(text);
    current = e.cause;
  }
  return parts.join(': ');
}

function stateName(state: temporal.api.enums.v1.PendingActivityState | null | undefined): string {
  const name = temporal.api.enums.v1.PendingActivityState[state ?? 0] ?? 'UNSPECIFIED';
  return name.replace('PENDING_ACTIVITY_STATE_', '');
}

function tsToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!ts?.seconds) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** What `ferje describe` shows: status, the workflow's own current details, pending activities, last failure. */
export async function describeWorkflow(client: Client, workflowId: string): Promise<WorkflowReport> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const converter = client.options.loadedDataConverter;
  const pendingActivities: PendingActivityReport[] = [];
  for (const pending of description.raw.pendingActivities ?? []) {
    const lastFailure = await decodeOptionalFailureToOptionalError(converter, pending.lastFailure);
    pendingActivities.push({
      activityType: pending.activityType?.name ?? 'unknown',
      state: stateName(pending.state),
      attempt: pending.attempt ?? 1,
      lastFailure: lastFailure ? failureInWords(lastFailure) : undefined,
      nextAttemptAt: tsToIso(pending.nextAttemptScheduleTime),
    });
  }
  const report: WorkflowReport = {
    workflowId,
    runId: description.runId,
    workflowType: description.type,
    status: description.status.name,
    taskQueue: description.taskQueue,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString(),
    historyLength: description.historyLength,
    summary: await description.staticSummary(),
    integration: description.typedSearchAttributes.get(searchAttributes.integration),
    ferjeStatus: description.typedSearchAttributes.get(searchAttributes.status),
    externalReference: description.typedSearchAttributes.get(searchAttributes.externalReference),
    pendingActivities,
  };
  if (description.status.name === 'RUNNING') {
    try {
      const meta = await client.connection.withDeadline(Date.now() + 5000, () =>
        handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata'),
      );
      report.currentDetails = meta.currentDetails || undefined;
    } catch {
      report.currentDetails = '(no worker answered the query)';
    }
  } else if (description.status.name !== 'COMPLETED') {
    try {
      await handle.result();
    } catch (err) {
      report.failure = failureInWords(err instanceof WorkflowFailedError && err.cause ? err.cause : err);
    }
  }
  return report;
}

export function formatWorkflowReport(r: WorkflowReport): string {
  const lines = [
    `Workflow   ${r.workflowId}  (${r.workflowType}, run ${r.runId})`,
    `Status     ${r.status}${r.ferjeStatus ? `  · ${r.ferjeStatus}` : ''}`,
    `Queue      ${r.taskQueue}`,
    `Started    ${r.startTime}${r.closeTime ? `   closed ${r.closeTime}` : ''}   (${r.historyLength} events)`,
  ];
  if (r.summary) lines.push(`Summary    ${r.summary}`);
  if (r.externalReference) lines.push(`Reference  ${r.externalReference}`);
  if (r.currentDetails) lines.push('Details', ...r.currentDetails.split('\n').map((l) => `  ${l}`));
  if (r.pendingActivities.length === 0) lines.push('Pending activities: none');
  for (const a of r.pendingActivities) {
    lines.push(
      `Pending    ${a.activityType}  ${a.state}  attempt ${a.attempt}${a.nextAttemptAt ? `, next at ${a.nextAttemptAt}` : ''}`,
    );
    if (a.lastFailure) lines.push(`           last failure: ${a.lastFailure}`);
  }
  if (r.failure) lines.push(`Failure    ${r.failure}`);
  return lines.join('\n');
}
