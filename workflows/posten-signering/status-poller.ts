import { setHandler, sleep } from '@temporalio/workflow';
import {
  postenPollerStateQuery,
  validateStatusPollerInput,
  type PostenStatusPollerStatus,
  type StatusPollerInput,
} from '../../src/contract/posten-signering';
import { continueAsNewAfterHandlers, createOperatorView, guardedWorkflow, shouldContinueAsNew } from '../common';
import { drainQueue } from './activities';
import { statusPollerDetails } from './details';
import {
  DEFAULT_CHANGES_PER_DRAIN,
  initialPollerState,
  ITERATIONS_PER_RUN,
  nextPollerInput,
  queueName,
  recordDrain,
} from './status-poller-state';

/**
 * The one poller of a sender's polling queue. Each iteration drains the queue through one activity (which routes
 * every change to its workflow), then sleeps on a durable timer until Posten's `X-Next-permitted-poll-time` (or the
 * end of a rate-limit block), so neither a crash nor a restart can make it poll early. Continues as new to keep its
 * history bounded.
 */
export const postenStatusPollerWorkflow = guardedWorkflow(
  'Posten status poller input',
  validateStatusPollerInput,
  statusPoller,
);

async function statusPoller(input: StatusPollerInput): Promise<void> {
  const state = initialPollerState(input);
  const name = queueName(input);
  let last = { dispatched: 0, toUnowned: 0 };
  const view = createOperatorView<PostenStatusPollerStatus>(() => statusPollerDetails(state, name, last));
  setHandler(postenPollerStateQuery, () => ({ ...state }));
  view.show('POLLING');
  for (let iteration = 0; ; iteration++) {
    const drained = await drainQueue(
      {
        sender: input.sender,
        pollingQueue: input.pollingQueue,
        maxChanges: input.maxChangesPerDrain ?? DEFAULT_CHANGES_PER_DRAIN,
      },
      name,
    );
    const wait = recordDrain(state, drained, Date.now());
    last = drained;
    view.show();
    if (wait > 0) {
      await sleep(wait, {
        summary:
          drained.outcome === 'RATE_LIMITED'
            ? 'blocked by the 10 requests/second rule'
            : 'until the next permitted poll',
      });
    }
    if (shouldContinueAsNew(iteration + 1 >= ITERATIONS_PER_RUN)) {
      await continueAsNewAfterHandlers<typeof statusPoller>(nextPollerInput(input, state));
    }
  }
}
