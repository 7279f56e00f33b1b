/** Stable `ApplicationFailure.type` values of the SS12000 integration (callers and operators branch on these). */
export const ss12000FailureTypes = {
  /**
   * The huvudman API refused the subscription (401/403/4xx), or stayed unavailable for longer than
   * `registrationRetryMinutes` (status REGISTRATION_RETRYING meanwhile); AP was told. Nothing exists at the huvudman,
   * and the flow may be started again under the same key.
   */
  subscriptionFailed: 'Ss12000SubscriptionFailed',
  /**
   * The registration callback (AP) refused the outcome (e.g. 404) or could not be reached after its retries, after
   * the subscription had been created: Ferje deleted it at the huvudman again (details say if that failed, then the
   * operator must delete it). The flow may be started again under the same key.
   */
  registrationCallbackRefused: 'Ss12000RegistrationCallbackRefused',
  /** A sync pass stopped: a GET failed three times or was refused; the remaining resource types were not fetched. */
  syncPassFailed: 'Ss12000SyncPassFailed',
  /** The huvudman API answered 5xx, timed out or dropped the connection (retryable). */
  apiUnavailable: 'Ss12000ApiUnavailable',
  /** The huvudman API refused our bearer token (401/403); fixing it needs an operator, not a retry. */
  unauthorized: 'Ss12000Unauthorized',
  /** The huvudman API does not know the subscription any more (404 on renew): Ferje recreates it. */
  subscriptionLost: 'Ss12000SubscriptionLost',
  /** AP's registration callback did not answer, or answered 5xx/429 (retryable). */
  callbackUnavailable: 'Ss12000CallbackUnavailable',
  /** No bearer token could be obtained from the configured token provider. */
  tokenUnavailable: 'Ss12000TokenUnavailable',
} as const;
