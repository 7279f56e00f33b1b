import { allHandlersFinished, condition, continueAsNew, workflowInfo, type Workflow } from '@temporalio/workflow';

/**
 * Whether this run should hand over to a new one: the server suggests it when the history grows large, and a workflow
 * may add its own bound (e.g. a number of poll turns) so that a run's history stays small to replay.
 */
export function shouldContinueAsNew(ownLimitReached = false): boolean {
  return ownLimitReached || workflowInfo().continueAsNewSuggested;
}

/**
 * Continues as new with `next` once every signal and update handler has finished, so that no message accepted by
 * this run is lost at the hand-over. Never returns.
 */
export async function continueAsNewAfterHandlers<F extends Workflow>(...args: Parameters<F>): Promise<never> {
  await condition(allHandlersFinished);
  return continueAsNew<F>(...args);
}
