import { workflowInfo } from '@temporalio/workflow';
import type { ValidationContext } from '../../src/contract/eformidling';

/**
 * What the validators need from the run and a caller cannot forge: workflow time, and whether this run was continued
 * as new by the workflow itself (only then may the input carry state).
 */
export function validationContext(): ValidationContext {
  return { nowMs: Date.now(), continued: workflowInfo().continuedFromExecutionRunId !== undefined };
}
