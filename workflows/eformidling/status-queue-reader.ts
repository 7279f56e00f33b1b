import { condition } from '@temporalio/workflow';
import {
  validateStatusQueueReaderInput,
  type StatusQueueReaderInput,
  type StatusQueueReaderStatus,
} from '../../src/contract/eformidling';
import { continueAsNewAfterHandlers, createOperatorView, guardedWorkflow, shouldContinueAsNew } from '../common';
import { longIpWork } from './activities';
import { readerDetails } from './details';
import { validationContext } from './run-context';
import { noteDrained, readerSettings, startTotals } from './status-queue-reader-state';

const queue = longIpWork('drain the status queue');

/**
 * For deployments where Ferje is the IP's only client: drains `GET /api/statuses/peek` + `DELETE /api/statuses/{id}`
 * and routes each status to its message workflow, so message workflows need not poll often. Long-lived.
 */
export const eformidlingStatusQueueReader = guardedWorkflow<StatusQueueReaderInput, void>(
  'eFormidling status-queue reader',
  (input) => validateStatusQueueReaderInput(input, validationContext()),
  async (input) => {
    const settings = readerSettings(input);
    const totals = startTotals(input);
    const view = createOperatorView<StatusQueueReaderStatus>(() => readerDetails(totals));
    view.show('RUNNING');
    for (;;) {
      if (shouldContinueAsNew())
        await continueAsNewAfterHandlers<typeof eformidlingStatusQueueReader>({ ...input, totals });
      const empty = noteDrained(totals, await queue.eformidlingDrainStatusQueue({ batchSize: settings.batchSize }));
      view.show();
      if (empty) await condition(() => false, settings.pollMs);
    }
  },
);
