import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../../src/config/env';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { signstashFailureTypes } from '../../src/contract/signstash';
import {
  SignstashAccessDeniedError,
  SignstashApiError,
  SignstashEndpointNotFoundError,
  SignstashMalformedResponseError,
  SignstashReferenceInUseError,
  SignstashServerError,
  SignstashTokenRejectedError,
  SignstashUnreachableError,
  SignstashUntrustedInstanceError,
  SignstashValidationError,
} from '../../src/integrations/signstash/errors';

/**
 * Client errors → ApplicationFailures with the contract's stable types. Input and configuration problems are not
 * retryable; server trouble is, with the server's Retry-After as the next delay. Details carry product codes only.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ConfigError) {
    return ApplicationFailure.nonRetryable(err.message, signstashFailureTypes.notConfigured);
  }
  const details = err instanceof SignstashApiError ? [{ httpStatus: err.httpStatus, errorCode: err.errorCode }] : [];
  if (err instanceof SignstashValidationError) {
    return ApplicationFailure.create({
      message: err.message,
      type: signstashFailureTypes.requestRejected,
      nonRetryable: true,
      details,
    });
  }
  if (err instanceof SignstashEndpointNotFoundError) {
    return ApplicationFailure.create({
      message: `${err.message}. Not counted as a lost instance: the operation may still be running at the proxy`,
      type: signstashFailureTypes.endpointNotFound,
      nonRetryable: true,
      details: [{ httpStatus: err.httpStatus, errorCode: err.errorCode, contentType: err.contentType }],
    });
  }
  if (err instanceof SignstashReferenceInUseError) {
    return ApplicationFailure.create({
      message: `${err.message}: the external reference is already in use at Sign'Stash; start again with a new one`,
      type: signstashFailureTypes.referenceInUse,
      nonRetryable: true,
      details,
    });
  }
  if (err instanceof SignstashAccessDeniedError || err instanceof SignstashTokenRejectedError) {
    return ApplicationFailure.create({
      message: err.message,
      type: signstashFailureTypes.accessDenied,
      nonRetryable: true,
      details,
    });
  }
  if (err instanceof SignstashUntrustedInstanceError) {
    return ApplicationFailure.create({
      message: err.message,
      type: commonFailureTypes.untrustedUrl,
      nonRetryable: true,
    });
  }
  if (err instanceof SignstashServerError) {
    return ApplicationFailure.create({
      message: err.message,
      type: signstashFailureTypes.serverError,
      details,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }
  if (err instanceof SignstashUnreachableError) {
    return ApplicationFailure.create({ message: err.message, type: signstashFailureTypes.unreachable });
  }
  if (err instanceof SignstashMalformedResponseError) {
    return ApplicationFailure.create({ message: err.message, type: commonFailureTypes.malformedResponse });
  }
  if (err instanceof SignstashApiError) {
    return ApplicationFailure.create({
      message: err.message,
      type: commonFailureTypes.rejectedByPartner,
      nonRetryable: true,
      details,
    });
  }
  return err;
}
