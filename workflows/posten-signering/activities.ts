import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { postenFailureTypes } from '../../src/contract/posten-signering';
import type { PostenSigneringActivities } from '../../activities/posten-signering';

const notRetryable = [
  commonFailureTypes.invalidInput,
  commonFailureTypes.untrustedUrl,
  commonFailureTypes.rejectedByPartner,
  postenFailureTypes.schemaValidation,
  postenFailureTypes.brokerNotAuthorized,
  postenFailureTypes.notAuthorized,
  postenFailureTypes.jobAlreadyFinished,
];

/** Create: five attempts (the first included); after that the outcome counts as unknown and is reconciled. */
export const createOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes: notRetryable,
  },
};

/**
 * Downloads, confirmations, cancellation: retried until Posten answers (an outage must not lose a job), with
 * server-given waits honoured through `nextRetryDelay`.
 */
export const ioOptions: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: notRetryable,
  },
};

/** Confirmations are quick calls: a worker that died during one is noticed (and the call retried) within 30 s. */
export const confirmOptions: ActivityOptions = { ...ioOptions, startToCloseTimeout: '30 seconds' };

/** The queue drain heartbeats per change; a lost worker is noticed within 30 s and the drain starts again. */
export const drainOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};

export const createActs = proxyActivities<PostenSigneringActivities>(createOptions);
export const ioActs = proxyActivities<PostenSigneringActivities>(ioOptions);
export const confirmActs = proxyActivities<PostenSigneringActivities>(confirmOptions);
export const drainActs = proxyActivities<PostenSigneringActivities>(drainOptions);
