import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every `everyMs`, so that a crashed worker's attempt is noticed at the activity's
 * heartbeat timeout (seconds) instead of its start-to-close timeout (minutes). Cancellation of the activity (which a
 * heartbeat delivers) aborts the signal handed to `work`. Outside an activity (unit tests) it just runs `work`.
 */
export async function withHeartbeats<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
  everyMs = 5_000,
): Promise<T> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return work(undefined);
  }
  const activity = ctx;
  activity.heartbeat();
  const timer = setInterval(() => activity.heartbeat(), everyMs);
  try {
    return await work(activity.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
