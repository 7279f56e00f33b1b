import type { InputProblem } from '../contract/failure-types';

/**
 * A start refused on the caller's side, before anything reached Temporal, with what is wrong in words. `kind` is
 * stable for callers that branch on it; problems name fields, never values (values may be personal data).
 */
export class FlowStartError extends Error {
  override readonly name = 'FlowStartError';
  constructor(
    readonly kind: 'invalid-input' | 'input-too-large' | 'different-input',
    message: string,
    readonly problems: InputProblem[] = [],
  ) {
    super(message);
  }
}

export function invalidFlowInput(flowName: string, problems: InputProblem[]): FlowStartError {
  const words = problems.map((p) => `${p.path || '(input)'} ${p.problem}`).join('; ');
  return new FlowStartError('invalid-input', `Invalid input for ${flowName}: ${words}`, problems);
}
