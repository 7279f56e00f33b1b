/**
 * Stable `ApplicationFailure.type` values that callers can branch on. Set explicitly everywhere (class names do not
 * survive minification and are not part of a contract).
 */
export const commonFailureTypes = {
  /** The workflow input breaks a rule; nothing was sent to the external service. Not retryable. */
  invalidInput: 'FerjeInvalidInput',
  /** The external service rejected the request as invalid (4xx that a retry cannot fix). */
  rejectedByPartner: 'FerjeRejectedByPartner',
  /** The partner answered with something that could not be parsed. */
  malformedResponse: 'FerjeMalformedResponse',
  /** A URL returned by a partner API pointed somewhere other than the configured origin. */
  untrustedUrl: 'FerjeUntrustedUrl',
  /** The workflow was cancelled by its caller. */
  cancelled: 'FerjeCancelled',
  /**
   * A defect in Ferje's workflow code met this flow (an unexpected error that would otherwise retry the workflow task
   * forever). The flow stopped visibly; it can be started again once the defect is fixed. Not retryable.
   */
  workflowDefect: 'FerjeWorkflowDefect',
} as const;

/** One problem found in an input, addressed by a JSON-pointer-like path. Never carries the offending value. */
export interface InputProblem {
  path: string;
  problem: string;
}
