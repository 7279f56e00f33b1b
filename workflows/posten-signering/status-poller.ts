import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { postenPollerStateQuery, type StatusPollerState } from '../../src/contract/posten-signering';
import type { StatusPollerInput } from '../../src/contract/posten-signering';
import { searchAttributes } from '../../src/contract/search-attributes';
import { drainActs, drainOptions } from './activities';

/** Iterations per run before continue-as-new even if the server has not suggested it yet (bounded histories). */
const ITERATIONS_PER_RUN = 500;

/**
 * The one poller of a sender's polling queue. Each iteration drains the queue through one activity (which routes
 * every change to its workflow), then sleeps on a durable timer until Posten's `X-Next-permitted-poll-time` (or the
 * end of a rate-limit block), so neither a crash nor a restart can make it poll early. Continues as new to keep its
 * history bounded.
 */
export async function postenStatusPollerWorkflow(input: StatusPollerInput): Promise<void> {
  const carried = input.carried ?? { polls: 0, changesDispatched: 0, changesToUnowned: 0, runs: 0 };
  const state: StatusPollerState = {
    sender: input.sender,
    pollingQueue: input.pollingQueue,
    polls: carried.polls,
    changesDispatched: carried.changesDispatched,
    changesToUnowned: carried.changesToUnowned,
    runs: carried.runs + 1,
  };
  setHandler(postenPollerStateQuery, () => ({ ...state }));
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'POLLING' }]);
  const queueName = input.pollingQueue ?? 'default';

  for (let iteration = 0; ; iteration++) {
    const drained = await drainActs.postenDrainStatusQueue.executeWithOptions(
      { ...drainOptions, summary: `drain queue ${queueName}` },
      [{ sender: input.sender, pollingQueue: input.pollingQueue, maxChanges: input.maxChangesPerDrain ?? 100 }],
    );
    state.polls += drained.polls;
    state.changesDispatched += drained.dispatched;
    state.changesToUnowned += drained.toUnowned;
    state.lastOutcome = drained.outcome;
    state.lastPollAt = new Date(Date.now()).toISOString();
    state.nextPollAt = new Date(drained.nextPollAt).toISOString();
    setCurrentDetails(
      [
        `**Posten status queue** \`${queueName}\` of ${input.sender}`,
        '',
        `Last drain: ${drained.outcome}, ${drained.dispatched} change(s) routed (${drained.toUnowned} to unowned-job workflows)`,
        `Totals: ${state.polls} polls, ${state.changesDispatched} changes routed, ${state.changesToUnowned} unowned · run ${state.runs}`,
        `Next permitted poll: ${state.nextPollAt}`,
      ].join('\n'),
    );
    const wait = drained.nextPollAt - Date.now();
    if (wait > 0) {
      await sleep(wait, {
        summary:
          drained.outcome === 'RATE_LIMITED'
            ? 'blocked by the 10 requests/second rule'
            : 'until the next permitted poll',
      });
    }
    if (workflowInfo().continueAsNewSuggested || iteration + 1 >= ITERATIONS_PER_RUN) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof postenStatusPollerWorkflow>({
        ...input,
        carried: {
          polls: state.polls,
          changesDispatched: state.changesDispatched,
          changesToUnowned: state.changesToUnowned,
          runs: state.runs,
        },
      });
    }
  }
}
