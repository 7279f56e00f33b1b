import { ApplicationFailure } from '@temporalio/common';
import { BlobNotFoundError } from '../../src/blobs/blob-store';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { postenFailureTypes } from '../../src/contract/posten-signering';
import {
  PostenApiError,
  PostenBrokerNotAuthorizedError,
  PostenInvalidJobError,
  PostenJobAlreadyFinishedError,
  PostenMalformedResponseError,
  PostenNotAuthorizedError,
  PostenRateLimitedError,
  PostenSchemaValidationError,
  PostenTlsError,
  PostenTooEagerPollingError,
  PostenUnavailableError,
  PostenUntrustedUrlError,
} from '../../src/integrations/posten-signering/errors';
import { KeystoreError } from '../../src/integrations/posten-signering/keystore';

/**
 * One classification of everything the Posten client throws, as `ApplicationFailure`s with the contract's stable
 * types: input and 4xx problems are not retryable; 429 carries the server-given wait as `nextRetryDelay`; outages,
 * malformed answers and TLS/keystore problems are retryable (an operator can fix those without losing the job).
 */
export function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof PostenInvalidJobError)
    return ApplicationFailure.nonRetryable(message, commonFailureTypes.invalidInput);
  if (err instanceof BlobNotFoundError) {
    return ApplicationFailure.nonRetryable('a document is not in the blob store', commonFailureTypes.invalidInput);
  }
  if (err instanceof PostenSchemaValidationError)
    return nonRetryable(message, postenFailureTypes.schemaValidation, err);
  if (err instanceof PostenBrokerNotAuthorizedError)
    return nonRetryable(message, postenFailureTypes.brokerNotAuthorized, err);
  if (err instanceof PostenNotAuthorizedError) return nonRetryable(message, postenFailureTypes.notAuthorized, err);
  if (err instanceof PostenJobAlreadyFinishedError)
    return nonRetryable(message, postenFailureTypes.jobAlreadyFinished, err);
  if (err instanceof PostenApiError) return nonRetryable(message, commonFailureTypes.rejectedByPartner, err);
  if (err instanceof PostenUntrustedUrlError)
    return ApplicationFailure.nonRetryable(message, commonFailureTypes.untrustedUrl);
  if (err instanceof PostenTooEagerPollingError) {
    return ApplicationFailure.create({
      message,
      type: postenFailureTypes.tooEagerPolling,
      nextRetryDelay: Math.max(1, err.nextPermittedPollAt - Date.now()),
    });
  }
  if (err instanceof PostenRateLimitedError) {
    return ApplicationFailure.create({
      message,
      type: postenFailureTypes.rateLimited,
      nextRetryDelay: Math.max(1, err.retryAt - Date.now()),
    });
  }
  if (err instanceof PostenUnavailableError) {
    return ApplicationFailure.create({
      message,
      type: postenFailureTypes.unavailable,
      details: [{ mayHaveReachedServer: err.mayHaveReachedServer, httpStatus: err.httpStatus ?? null }],
    });
  }
  if (err instanceof PostenMalformedResponseError) {
    return ApplicationFailure.create({ message, type: commonFailureTypes.malformedResponse });
  }
  if (err instanceof PostenTlsError || err instanceof KeystoreError) {
    return ApplicationFailure.create({ message, type: postenFailureTypes.tlsConfiguration });
  }
  return ApplicationFailure.create({ message, type: postenFailureTypes.unavailable });
}

function nonRetryable(message: string, type: string, err: PostenApiError): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: true,
    details: [{ httpStatus: err.httpStatus, errorCode: err.errorCode ?? null }],
  });
}
