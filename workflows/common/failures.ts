import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  isCancellation,
  TimeoutFailure,
} from '@temporalio/workflow';
import { commonFailureTypes, type InputProblem } from '../../src/contract/failure-types';

/**
 * The workflow's own failure for bad input: typed, non-retryable, naming the fields and rules (never the values,
 * which may be personal data), with the problems as details for callers that branch on them.
 */
export function invalidInputFailure(what: string, problems: InputProblem[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: commonFailureTypes.invalidInput,
    nonRetryable: true,
    message: `Invalid ${what}: ${problems.map((p) => `${p.path || '(input)'} ${p.problem}`).join('; ')}`,
    details: [problems],
  });
}

/** The typed failure an activity (or child workflow) ended with, if it ended with one. */
export function failureCause(err: unknown): ApplicationFailure | undefined {
  if (
    (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) &&
    err.cause instanceof ApplicationFailure
  )
    return err.cause;
  return undefined;
}

/** The failure type an activity ended with, or undefined when it did not end with a typed failure. */
export function failureTypeOf(err: unknown): string | undefined {
  return failureCause(err)?.type ?? undefined;
}

/**
 * Lifts an activity's (or child's) typed failure to the workflow's own failure, so a caller finds the contract's
 * `type`, message and details on the workflow failure itself rather than two causes down. The original failure stays
 * attached as the cause (the UI shows the whole chain). Cancellation passes through unchanged. An untyped failure
 * (a timeout, exhausted retries of an unclassified error) becomes `fallbackType` when one is given, else passes.
 * One meaning everywhere: the result is always non-retryable, because the activity's own retry policy has already run.
 */
export function liftFailure(err: unknown, fallbackType?: string, fallbackMessage?: string): unknown {
  if (isCancellation(err)) return err;
  const cause = failureCause(err);
  if (cause?.type) {
    return ApplicationFailure.create({
      type: cause.type,
      message: cause.message,
      nonRetryable: true,
      details: (cause.details as unknown[] | undefined) ?? undefined,
      cause: err as Error,
    });
  }
  if (fallbackType && (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure)) {
    return ApplicationFailure.create({
      type: fallbackType,
      message: `${fallbackMessage ?? 'The activity failed'} (${describeFailure(err).message})`,
      nonRetryable: true,
      cause: err,
    });
  }
  return err;
}

/** A failure as type + message for outcomes, logs and the UI (partner clients' messages never carry personal data). */
export function describeFailure(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure || err instanceof ChildWorkflowFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause instanceof TimeoutFailure) return { type: 'Timeout', message: `timed out (${cause.timeoutType})` };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Unknown', message: String(cause) };
}
