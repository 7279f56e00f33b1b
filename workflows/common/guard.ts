import { ApplicationFailure, ContinueAsNew, isCancellation, TemporalFailure } from '@temporalio/workflow';
import { commonFailureTypes, type InputProblem } from '../../src/contract/failure-types';
import { invalidInputFailure } from './failures';

/**
 * The hostile-input guard every Ferje workflow runs inside.
 *
 * 1. The whole input (including any `resume`/carried state, which a caller can forge) is validated before the
 *    workflow does anything else; problems become one typed, non-retryable `FerjeInvalidInput` naming the fields.
 *    `validate` must accept `unknown` and never throw: `null`, arrays and strings are inputs too.
 * 2. Anything the workflow body throws that is not a Temporal failure (a `TypeError` from a field nobody expected to
 *    be missing, a plain `Error`) would fail the workflow *task* and retry it forever, showing the operator only
 *    "RUNNING". The guard turns it into a typed, non-retryable `FerjeWorkflowDefect` instead: the flow fails visibly,
 *    with the defect's message, and can be started again once fixed. Cancellation and continue-as-new pass through.
 *
 * Signal and update handlers run outside the body; they validate their own arguments (see `validateMessage`).
 */
export function guardedWorkflow<Input, Output>(
  what: string,
  validate: (input: unknown) => InputProblem[],
  body: (input: Input) => Promise<Output>,
): (input: Input) => Promise<Output> {
  return async (input: Input): Promise<Output> => {
    const problems = safeValidate(validate, input);
    if (problems.length > 0) throw invalidInputFailure(what, problems);
    try {
      return await body(input);
    } catch (err) {
      throw asWorkflowFailure(err);
    }
  };
}

/**
 * For signal and update handlers: validates an argument and returns the typed failure to throw (an update handler
 * rejects the update with it; a signal handler should ignore and count the bad signal rather than throw).
 */
export function validateMessage(
  what: string,
  validate: (arg: unknown) => InputProblem[],
  arg: unknown,
): ApplicationFailure | undefined {
  const problems = safeValidate(validate, arg);
  return problems.length > 0 ? invalidInputFailure(what, problems) : undefined;
}

function safeValidate(validate: (input: unknown) => InputProblem[], input: unknown): InputProblem[] {
  try {
    return validate(input);
  } catch (err) {
    // A validator that throws on odd input is itself a defect; the input is still refused, never retried.
    return [{ path: '', problem: `could not be validated (${err instanceof Error ? err.name : 'error'})` }];
  }
}

/** Temporal failures, cancellation and continue-as-new pass; any other error becomes a typed, non-retryable failure. */
export function asWorkflowFailure(err: unknown): unknown {
  if (err instanceof TemporalFailure || err instanceof ContinueAsNew || isCancellation(err)) return err;
  const name = err instanceof Error ? err.name : typeof err;
  const message = err instanceof Error ? err.message : 'non-error value thrown';
  return ApplicationFailure.create({
    type: commonFailureTypes.workflowDefect,
    nonRetryable: true,
    message: `Ferje workflow defect (${name}): ${message}. The flow stopped instead of retrying forever; report it.`,
  });
}
