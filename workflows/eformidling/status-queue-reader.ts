import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { EformidlingActivities } from '../../activities/eformidling';
import type { StatusQueueReaderInput } from '../../src/contract/eformidling';
import { durationMs } from '../../src/contract/eformidling';
import { searchAttributes } from '../../src/contract/search-attributes';

const { eformidlingDrainStatusQueue } = proxyActivities<EformidlingActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
  summary: 'drain the status queue',
});

/**
 * For deployments where Ferje is the IP's only client: drains `GET /api/statuses/peek` + `DELETE /api/statuses/{id}`
 * and routes each status to its message workflow, so message workflows need not poll often. Long-lived.
 */
export async function eformidlingStatusQueueReader(input: StatusQueueReaderInput): Promise<void> {
  const pollMs = durationMs(input.pollInterval, '10 seconds') ?? 10_000;
  const totals = input.totals ?? { dispatched: 0, withoutWorkflow: 0 };
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'RUNNING' }]);
  for (;;) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof eformidlingStatusQueueReader>({ ...input, totals });
    }
    const drained = await eformidlingDrainStatusQueue({ batchSize: input.batchSize ?? 100 });
    totals.dispatched += drained.dispatched;
    totals.withoutWorkflow += drained.withoutWorkflow;
    setCurrentDetails(
      `**eFormidling status queue reader**\n\n- Routed to message workflows: ${totals.dispatched}\n- Not Ferje's (acknowledged): ${totals.withoutWorkflow}`,
    );
    if (drained.empty) await condition(() => false, pollMs);
  }
}
