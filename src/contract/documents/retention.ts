import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { commonFailureTypes, type InputProblem } from '../failure-types';

/** Persisted names: renaming one strands running executions and the schedule. */
export const documentsWorkflowTypes = {
  retention: 'documentsRetention',
} as const;

/** The Temporal Schedule that runs retention, and the workflow-ID prefix of its runs. */
export const documentsRetentionScheduleId = 'ferje-documents-retention';
export const documentsRetentionWorkflowId = 'documents-retention';

export const DEFAULT_RETAIN_AFTER_CLOSE = '30 days';
export const DEFAULT_UNUSED_UPLOAD_GRACE = '7 days';

/** Durations are Temporal duration strings (`'30 days'`, `'12 hours'`, `'2 seconds'`). */
export interface DocumentsRetentionInput {
  /** How long a document is kept after the last flow that referenced it closed. Default 30 days. */
  retainAfterClose?: string;
  /** How long an upload that no flow has used yet is kept. Default 7 days. */
  unusedUploadGrace?: string;
  /** Report what would go without deleting anything. */
  dryRun?: boolean;
}

/** What one sweep is told to do, in milliseconds (the activity's input). */
export interface RetentionPlan {
  retainAfterCloseMs: number;
  unusedUploadGraceMs: number;
  dryRun: boolean;
}

/** How many sha256s a result lists; the counts are always complete. */
export const RETENTION_LISTED_SHA256_LIMIT = 1000;

/**
 * What a run deleted and kept, for the operator (the workflow result in the UI): counts and sha256s, never a
 * document name or a flow's data.
 */
export interface DocumentsRetentionResult {
  startedAt: string;
  finishedAt: string;
  plan: RetentionPlan;
  examined: number;
  deleted: {
    count: number;
    bytes: number;
    /** Documents whose every referencing flow closed longer than `retainAfterClose` ago. */
    closedFlows: number;
    /** Uploads no flow used within `unusedUploadGrace`. */
    unusedUploads: number;
    sha256s: string[];
    /** True when more were deleted than `sha256s` lists. */
    truncated: boolean;
  };
  kept: {
    /** Referenced by at least one open flow. */
    openFlow: number;
    /** Every referencing flow closed, but not long enough ago. */
    recentlyClosed: number;
    /** Uploaded (or uploaded again) within the grace time and not used by a flow yet. */
    recentUpload: number;
    /** A referencing flow could not be looked up this time; kept, tried again next run. */
    undecided: number;
  };
}

const durationOf = (
  input: DocumentsRetentionInput,
  field: 'retainAfterClose' | 'unusedUploadGrace',
  fallback: string,
  problems: InputProblem[],
): number => {
  const raw = input[field] ?? fallback;
  let ms = NaN;
  try {
    ms = typeof raw === 'string' ? msToNumber(raw as Parameters<typeof msToNumber>[0]) : NaN;
  } catch {
    // reported below
  }
  if (!Number.isFinite(ms) || ms < 1000)
    problems.push({ path: `/${field}`, problem: "must be a duration of at least 1 second, such as '30 days'" });
  return ms;
};

/**
 * Checks a retention input before anything is deleted; bad input fails the run at once (non-retryable
 * FerjeInvalidInput naming the fields) instead of deleting on a misread setting.
 */
export function retentionPlanOf(input: DocumentsRetentionInput | null | undefined): RetentionPlan {
  const problems: InputProblem[] = [];
  const given = input ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw ApplicationFailure.create({
      message: 'Invalid documents retention input: must be an object',
      type: commonFailureTypes.invalidInput,
      nonRetryable: true,
      details: [{ problems: [{ path: '', problem: 'must be an object' }] }],
    });
  }
  const retainAfterCloseMs = durationOf(given, 'retainAfterClose', DEFAULT_RETAIN_AFTER_CLOSE, problems);
  const unusedUploadGraceMs = durationOf(given, 'unusedUploadGrace', DEFAULT_UNUSED_UPLOAD_GRACE, problems);
  if (given.dryRun !== undefined && typeof given.dryRun !== 'boolean')
    problems.push({ path: '/dryRun', problem: 'must be true or false' });
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      message: `Invalid documents retention input: ${problems.map((p) => `${p.path.slice(1)} ${p.problem}`).join('; ')}`,
      type: commonFailureTypes.invalidInput,
      nonRetryable: true,
      details: [{ problems }],
    });
  }
  return { retainAfterCloseMs, unusedUploadGraceMs, dryRun: given.dryRun ?? false };
}
