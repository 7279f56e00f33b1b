import { ApplicationFailure } from '@temporalio/common';
import { commonFailureTypes, type InputProblem } from '../failure-types';
import { durationToMs } from '../input-rules';

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

const RETENTION_FIELDS = ['retainAfterClose', 'unusedUploadGrace', 'dryRun'];

/** A duration string's milliseconds, or NaN when it is not one (retention takes only strings, as its schema says). */
const durationMs = (raw: unknown): number =>
  (typeof raw === 'string' && raw.length <= 64 ? durationToMs(raw) : undefined) ?? NaN;

/**
 * The whole retention input, checked before anything is deleted (the workflow's guard runs it first). No input at all
 * means the defaults; `null`, arrays, strings, unknown fields (a misspelt setting must not silently fall back to the
 * default) and durations under a second or past a hundred years are refused, naming the field, never its value.
 */
export function validateRetentionInput(input: unknown): InputProblem[] {
  if (input === undefined) return [];
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return [{ path: '', problem: 'must be an object (or no input at all, for the defaults)' }];
  const given = input as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const key of Object.keys(given))
    if (!RETENTION_FIELDS.includes(key)) problems.push({ path: `/${key}`, problem: 'is not a retention setting' });
  for (const field of ['retainAfterClose', 'unusedUploadGrace'] as const) {
    if (given[field] === undefined) continue;
    const ms = durationMs(given[field]);
    if (!Number.isFinite(ms) || ms < 1000 || ms > MAX_RETENTION_MS)
      problems.push({ path: `/${field}`, problem: "must be a duration of at least 1 second, such as '30 days'" });
  }
  if (given.dryRun !== undefined && typeof given.dryRun !== 'boolean')
    problems.push({ path: '/dryRun', problem: 'must be true or false' });
  return problems;
}

/** A hundred years: longer is a typo, not a policy. */
const MAX_RETENTION_MS = 100 * 365 * 86_400_000;

/**
 * The plan for a validated input (defaults filled in). Bad input throws the same typed, non-retryable
 * FerjeInvalidInput the workflow's guard would (the worker's settings check uses this at start-up).
 */
export function retentionPlanOf(input: DocumentsRetentionInput | null | undefined): RetentionPlan {
  const problems = validateRetentionInput(input);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      message: `Invalid documents retention input: ${problems.map((p) => `${p.path || '(input)'} ${p.problem}`).join('; ')}`,
      type: commonFailureTypes.invalidInput,
      nonRetryable: true,
      details: [problems],
    });
  }
  const given = input ?? {};
  return {
    retainAfterCloseMs: durationMs(given.retainAfterClose ?? DEFAULT_RETAIN_AFTER_CLOSE),
    unusedUploadGraceMs: durationMs(given.unusedUploadGrace ?? DEFAULT_UNUSED_UPLOAD_GRACE),
    dryRun: given.dryRun ?? false,
  };
}
