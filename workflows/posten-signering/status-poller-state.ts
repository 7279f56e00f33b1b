import type { DrainResult } from '../../activities/posten-signering';
import type { StatusPollerInput, StatusPollerState } from '../../src/contract/posten-signering';

/** The status poller's counters and decisions, without I/O. */

/** Iterations per run before continue-as-new even if the server has not suggested it yet (bounded histories). */
export const ITERATIONS_PER_RUN = 500;
/** Changes one drain hands over before it reports back, unless the input says otherwise. */
export const DEFAULT_CHANGES_PER_DRAIN = 100;

export function initialPollerState(input: StatusPollerInput): StatusPollerState {
  const carried = input.carried ?? { polls: 0, changesDispatched: 0, changesToUnowned: 0, runs: 0 };
  return {
    sender: input.sender,
    pollingQueue: input.pollingQueue,
    polls: carried.polls,
    changesDispatched: carried.changesDispatched,
    changesToUnowned: carried.changesToUnowned,
    runs: carried.runs + 1,
  };
}

/** The queue's name as operators read it (Posten's default queue has none). */
export function queueName(input: StatusPollerInput): string {
  return input.pollingQueue ?? 'default';
}

/** Adds one drain to the counters; returns how long to wait before the next poll is permitted (0: at once). */
export function recordDrain(state: StatusPollerState, drained: DrainResult, now: number): number {
  state.polls += drained.polls;
  state.changesDispatched += drained.dispatched;
  state.changesToUnowned += drained.toUnowned;
  state.lastOutcome = drained.outcome;
  state.lastPollAt = new Date(now).toISOString();
  state.nextPollAt = new Date(drained.nextPollAt).toISOString();
  return Math.max(0, drained.nextPollAt - now);
}

/** The input of the next run: the same queue, with the counters carried. */
export function nextPollerInput(input: StatusPollerInput, state: StatusPollerState): StatusPollerInput {
  return {
    ...input,
    carried: {
      polls: state.polls,
      changesDispatched: state.changesDispatched,
      changesToUnowned: state.changesToUnowned,
      runs: state.runs,
    },
  };
}
