import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { eformidlingFailureTypes } from '../../src/contract/eformidling';
import {
  EformidlingApiError,
  MalformedResponseError,
  PeekFilterRefusedError,
  SbdValidationError,
  TransportLimitExceededError,
} from '../../src/integrations/eformidling/errors';

/**
 * The one error classifier of the eFormidling activities: input and 4xx problems become non-retryable failures
 * with stable types; 429/503 honour Retry-After; everything else (5xx, network, timeouts) is rethrown so Temporal
 * retries it. Messages carry method, path pattern, status and exception name only — never bodies or values.
 */
export function classify(err: unknown): never {
  if (err instanceof ApplicationFailure) throw err;
  if (err instanceof SbdValidationError) {
    throw ApplicationFailure.create({
      message: err.message,
      type: commonFailureTypes.invalidInput,
      nonRetryable: true,
      details: [err.problems],
    });
  }
  if (err instanceof TransportLimitExceededError) {
    throw ApplicationFailure.create({
      message: err.message,
      type: eformidlingFailureTypes.messageTooLarge,
      nonRetryable: true,
      details: [{ serviceIdentifier: err.serviceIdentifier, totalBytes: err.totalBytes, limitBytes: err.limitBytes }],
    });
  }
  if (err instanceof PeekFilterRefusedError) {
    throw ApplicationFailure.create({
      message: `${err.message}: use one of DPO, DPV, DPI, DPF, DPE, DPH`,
      type: commonFailureTypes.invalidInput,
      nonRetryable: true,
      details: [[{ path: '/filter/serviceIdentifier', problem: 'is not a service identifier this IP knows' }]],
    });
  }
  if (err instanceof MalformedResponseError) {
    throw ApplicationFailure.create({ message: err.message, type: eformidlingFailureTypes.malformedResponse });
  }
  if (err instanceof EformidlingApiError) {
    if (err.status === 429 || err.status === 503) {
      throw ApplicationFailure.create({
        message: err.message,
        type: 'EformidlingUnavailable',
        nextRetryDelay: err.retryAfterMs,
      });
    }
    if (err.isClientError) {
      throw ApplicationFailure.create({
        message: err.message,
        type: eformidlingFailureTypes.rejected,
        nonRetryable: true,
        details: [{ status: err.status, exception: err.exception, fieldErrors: err.fieldErrors }],
      });
    }
    throw ApplicationFailure.create({ message: err.message, type: 'EformidlingServerError' });
  }
  throw err;
}

/** A benign "not yet": retried by the activity's retry policy, not counted as a failure. */
export function notYet(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'EformidlingNotYet', category: ApplicationFailureCategory.BENIGN });
}
