import { ApplicationFailure } from '@temporalio/activity';
import { Ss12000Error } from '../../src/integrations/ss12000/errors';

/** Turns client errors into failures with the contract's types; retryable only where a retry can help. */
function asFailure(err: unknown): unknown {
  if (err instanceof Ss12000Error) {
    return ApplicationFailure.create({ message: err.message, type: err.failureType, nonRetryable: !err.retryable });
  }
  return err;
}

/** Runs one activity body and classifies whatever the SS12000 client threw. */
export async function classified<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asFailure(err);
  }
}
