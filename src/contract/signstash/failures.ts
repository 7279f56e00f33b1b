/**
 * Stable `ApplicationFailure.type`s of the Sign'Stash integration (besides the common ones in ../failure-types).
 * Part of the contract: callers branch on them.
 */
export const signstashFailureTypes = {
  /** The instance holding the operation was gone longer than allowed and the caller asked to fail. Not retryable. */
  instanceLost: 'SignstashInstanceLost',
  /** Restarting was configured but every allowed restart was used up. Not retryable. */
  restartsExhausted: 'SignstashRestartsExhausted',
  /** Sign'Stash says the external reference is already in use (409 0.0.7). Not retryable: choose a new reference. */
  referenceInUse: 'SignstashReferenceInUse',
  /** Sign'Stash rejected the request as invalid (its validation errors arrive as HTTP 500 0.0.2/0.0.4/0.0.6). */
  requestRejected: 'SignstashRequestRejected',
  /** The operation ended `EXECUTION_FAILED`: nothing was signed. Details carry the product's error code. */
  operationFailed: 'SignstashOperationFailed',
  /** The operation did not become final within the operation timeout. */
  operationTimedOut: 'SignstashOperationTimedOut',
  /** Credentials or licence refused (token endpoint 401, 401 1.1.x, 403 1.2.0/1.3.0). Fix configuration. */
  accessDenied: 'SignstashAccessDenied',
  /** The client service id in the input is not configured in this Ferje deployment. */
  unknownClientService: 'SignstashUnknownClientService',
  /** The start could not be delivered after the configured attempts (5xx or unreachable load balancer). */
  startFailed: 'SignstashStartFailed',
  /**
   * A 404 that is not the proxy's own "operation not found" (a gateway's page, another error code, a path the proxy
   * does not have): a configuration error (base URL, allow-list, gateway route, wire profile). Not retryable, and never
   * taken as the instance having lost the operation, so it never causes a restart; the operation may still be running.
   */
  endpointNotFound: 'SignstashEndpointNotFound',
  /** The worker has no usable Sign'Stash configuration (SIGNSTASH_* variables). */
  notConfigured: 'SignstashNotConfigured',
  /**
   * Transient: Sign'Stash answered 5xx. Retried by the activity; a caller sees it only when every attempt of a status
   * or result call failed this way (a start's exhausted attempts become `SignstashStartFailed` instead).
   */
  serverError: 'SignstashServerError',
  /** Transient: the load balancer or instance could not be reached. Retried like `SignstashServerError`. */
  unreachable: 'SignstashUnreachable',
  /** A document referenced by the input is not in Ferje's blob store. */
  documentMissing: 'SignstashDocumentMissing',
} as const;

export type SignstashFailureType = (typeof signstashFailureTypes)[keyof typeof signstashFailureTypes];
