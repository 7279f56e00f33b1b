import { Context } from '@temporalio/activity';
import { metrics } from '../../src/metrics/activity-metrics';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { ApplicationFailure } from '@temporalio/common';
import { commonFailureTypes } from '../../src/contract/failure-types';
import {
  PostenMalformedResponseError,
  PostenRateLimitedError,
  PostenTooEagerPollingError,
} from '../../src/integrations/posten-signering/errors';
import { withHeartbeats } from '../common/heartbeat';
import { toFailure } from './failures';
import { routeStatusChange } from './router';
import type { PostenRuntime } from './runtime';

export interface DrainResult {
  /** Epoch ms before which the queue must not be polled again. */
  nextPollAt: number;
  outcome: 'EMPTY' | 'TOO_EARLY' | 'RATE_LIMITED' | 'BATCH_LIMIT';
  polls: number;
  dispatched: number;
  toUnowned: number;
}

/** Longest a drain runs before it reports back, so the poller's history shows progress and timers stay honest. */
const DRAIN_BUDGET_MS = 60_000;

export function createQueueActivities(rt: PostenRuntime) {
  return {
    /**
     * Polls one queue while Posten has changes (200 = poll again at once), handing each change to its workflow
     * before the next poll. Confirmation is the owning workflow's job, after it stored what the change offered:
     * a change whose hand-over is lost (crash) is simply redelivered by Posten after 10 minutes.
     */
    async postenDrainStatusQueue(input: {
      sender: string;
      pollingQueue?: string;
      maxChanges: number;
    }): Promise<DrainResult> {
      // A poll, or a hand-over to Temporal, can hang up to the client's timeout: heartbeat throughout, not only
      // between changes, so a crashed worker is noticed at the heartbeat timeout.
      return withHeartbeats(() => drain(rt, input));
    },
  };
}

async function drain(
  rt: PostenRuntime,
  input: { sender: string; pollingQueue?: string; maxChanges: number },
): Promise<DrainResult> {
  const started = Date.now();
  const result: DrainResult = {
    nextPollAt: started,
    outcome: 'BATCH_LIMIT',
    polls: 0,
    dispatched: 0,
    toUnowned: 0,
  };
  const client = rt.client();
  for (;;) {
    if (result.dispatched >= input.maxChanges || Date.now() - started > DRAIN_BUDGET_MS) {
      result.nextPollAt = Date.now();
      return result;
    }
    let poll;
    try {
      poll = await client.pollStatusChange(input.sender, input.pollingQueue);
      result.polls++;
    } catch (err) {
      if (err instanceof PostenTooEagerPollingError) {
        return { ...result, nextPollAt: err.nextPermittedPollAt, outcome: 'TOO_EARLY' };
      }
      if (err instanceof PostenRateLimitedError) {
        return { ...result, nextPollAt: err.retryAt, outcome: 'RATE_LIMITED' };
      }
      if (err instanceof PostenMalformedResponseError) {
        // The change (if any) stays leased at Posten and comes back after the redelivery time: nothing is lost.
        rt.logger.warn('malformed status change from posten', { sender: input.sender });
        throw ApplicationFailure.create({ message: err.message, type: commonFailureTypes.malformedResponse });
      }
      throw toFailure(err);
    }
    if (poll.kind === 'empty') return { ...result, nextPollAt: poll.nextPermittedPollAt, outcome: 'EMPTY' };
    const routed = await routeStatusChange(
      rt.temporal,
      {
        sender: input.sender,
        pollingQueue: input.pollingQueue,
        taskQueue: rt.config.taskQueue,
        policy: rt.config.unownedPolicy,
      },
      poll.change,
    );
    result.dispatched++;
    metrics.count(ferjeMetrics.postenStatusChanges, { status: poll.change.status, routed });
    if (routed === 'UNOWNED') result.toUnowned++;
    if (routed === 'UNROUTABLE') {
      rt.logger.warn('a status change could not be routed: its job id is refused as a workflow-ID part', {
        sender: input.sender,
      });
    }
    Context.current().heartbeat({ dispatched: result.dispatched });
  }
}
