import { ApplicationFailure, Context } from '@temporalio/activity';
import { request } from 'undici';
import { commonFailureTypes } from '../../src/contract/failure-types';
import type { Ss12000RegistrationOutcome } from '../../src/contract/ss12000';
import type { Ss12000ActivityContext } from './deps';
import { checkCallbackUrl } from './endpoints';

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
        const res = await request(input.callbackUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input.outcome),
          headersTimeout: ctx.config.httpTimeoutMs,
          bodyTimeout: ctx.config.httpTimeoutMs,
          signal: Context.current().cancellationSignal,
        });
        await res.body.dump();
        status = res.statusCode;
      } catch (err) {
        throw ApplicationFailure.retryable(
          `registration callback unreachable (${(err as Error).name})`,
          'Ss12000CallbackUnavailable',
        );
      }
      if (status >= 500 || status === 429)
        throw ApplicationFailure.retryable(
          `registration callback answered HTTP ${status}`,
          'Ss12000CallbackUnavailable',
        );
      if (status >= 400)
        throw ApplicationFailure.nonRetryable(
          `registration callback answered HTTP ${status}`,
          commonFailureTypes.rejectedByPartner,
        );
    },
  };
}
