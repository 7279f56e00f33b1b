/** Stable `ApplicationFailure.type` values of this integration (besides the common ones). */
export const postenFailureTypes = {
  /** The API answered `SCHEMA_VALIDATION_ERROR`: request or manifest not valid against Posten's XSDs. */
  schemaValidation: 'PostenSchemaValidationError',
  /** `NOT_AUTHORIZED`: the organisation has no API access, or the enterprise certificate was refused. */
  notAuthorized: 'PostenNotAuthorized',
  /** `BROKER_NOT_AUTHORIZED`: the certificate's organisation may not act for the sender. */
  brokerNotAuthorized: 'PostenBrokerNotAuthorized',
  /** Cancel answered 409: the job had already ended. */
  jobAlreadyFinished: 'PostenJobAlreadyFinished',
  /** 429 before the permitted poll time (carries the next permitted time as `nextRetryDelay`). */
  tooEagerPolling: 'PostenTooEagerPolling',
  /** 429 from the 10 requests/second rule (the organisation is blocked for 30 s). */
  rateLimited: 'PostenRateLimited',
  /** 5xx, dropped connection or timeout: retryable. */
  unavailable: 'PostenUnavailable',
  /** Any other HTTP answer a retry cannot fix. */
  unexpectedResponse: 'PostenUnexpectedResponse',
  /** Create was sent but its outcome could not be learnt, and no status change ever named the job. */
  createOutcomeUnknown: 'PostenCreateOutcomeUnknown',
  /** The job's availability period (plus grace) passed without a final status from Posten. */
  noFinalStatus: 'PostenNoFinalStatus',
  /** TLS, keystore or trust configuration is unusable (wrong passphrase, untrusted server, wrong org number). */
  tlsConfiguration: 'PostenTlsConfiguration',
} as const;
