import { ApplicationFailure } from '@temporalio/activity';
import { request } from 'undici';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { ss12000FailureTypes, type Ss12000RegistrationOutcome } from '../../src/contract/ss12000';
import type { Ss12000ActivityContext } from './deps';
import { checkCallbackUrl } from './endpoints';
import { withHeartbeats } from '../common/heartbeat';

/** Telling the registering party (AP) the outcome of a registration. */
export function registrationCallbackActivities(ctx: Ss12000ActivityContext) {
  return {
    /** Tells the registering party (AP) whether the subscription was created. */
    async ss12000NotifyRegistration(input: {
      callbackUrl: string;
      outcome: Ss12000RegistrationOutcome;
    }): Promise<void> {
      const refused = checkCallbackUrl(ctx.config.endpoints, input.callbackUrl);
      if (refused)
        throw ApplicationFailure.create({
          type: commonFailureTypes.invalidInput,
          nonRetryable: true,
          message: `Refused SS12000 callback: ${refused.path} ${refused.problem}`,
        });
      let status: number;
      try {
        status = await withHeartbeats((signal) =>
          post(input.callbackUrl, input.outcome, ctx.config.httpTimeoutMs, signal),
        );
      } catch (err) {
        throw ApplicationFailure.retryable(
          `registration callback unreachable (${(err as Error).name})`,
          ss12000FailureTypes.callbackUnavailable,
        );
      }
      if (status >= 500 || status === 429)
        throw ApplicationFailure.retryable(
          `registration callback answered HTTP ${status}`,
          ss12000FailureTypes.callbackUnavailable,
        );
      if (status >= 400)
        throw ApplicationFailure.nonRetryable(
          `registration callback answered HTTP ${status}`,
          commonFailureTypes.rejectedByPartner,
        );
    },
  };
}

async function post(url: string, body: unknown, timeoutMs: number, signal: AbortSignal | undefined): Promise<number> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal,
  });
  await res.body.dump();
  return res.statusCode;
}
