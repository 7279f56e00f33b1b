/**
 * What can go wrong talking to Posten, as precise classes. Activities translate them to `ApplicationFailure`s with
 * the stable types of the contract (see `failures.ts`). Messages never quote request bodies or personal data.
 */
export class PostenError extends Error {
  override readonly name: string = 'PostenError';
}

/** A 4xx with Posten's `error` body (or a plain-text one). */
export class PostenApiError extends PostenError {
  override readonly name: string = 'PostenApiError';
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string | undefined,
    readonly errorType: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export class PostenSchemaValidationError extends PostenApiError {
  override readonly name = 'PostenSchemaValidationError';
}

export class PostenBrokerNotAuthorizedError extends PostenApiError {
  override readonly name = 'PostenBrokerNotAuthorizedError';
}

export class PostenNotAuthorizedError extends PostenApiError {
  override readonly name = 'PostenNotAuthorizedError';
}

/** Cancel answered 409 Conflict: the job had already ended. */
export class PostenJobAlreadyFinishedError extends PostenApiError {
  override readonly name = 'PostenJobAlreadyFinishedError';
}

/** 429 before `X-Next-permitted-poll-time`. */
export class PostenTooEagerPollingError extends PostenError {
  override readonly name = 'PostenTooEagerPollingError';
  constructor(readonly nextPermittedPollAt: number) {
    super('polled before the permitted poll time');
  }
}

/** 429 from the 10 requests/second rule (header `DoSFilter`, no poll time): the organisation is blocked ~30 s. */
export class PostenRateLimitedError extends PostenError {
  override readonly name = 'PostenRateLimitedError';
  constructor(readonly retryAt: number) {
    super('Posten blocked the organisation for exceeding 10 requests per second');
  }
}

/** 5xx, connection refused or dropped, timeouts: worth retrying. `mayHaveReachedServer` matters for create. */
export class PostenUnavailableError extends PostenError {
  override readonly name = 'PostenUnavailableError';
  constructor(
    message: string,
    readonly mayHaveReachedServer: boolean,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** A 2xx whose body could not be understood (not XML, wrong element, missing fields). */
export class PostenMalformedResponseError extends PostenError {
  override readonly name = 'PostenMalformedResponseError';
}

/** A URL from a response pointed outside the configured origin. */
export class PostenUntrustedUrlError extends PostenError {
  override readonly name = 'PostenUntrustedUrlError';
}

/** The job description breaks a rule; found before anything was sent. */
export class PostenInvalidJobError extends PostenError {
  override readonly name = 'PostenInvalidJobError';
}

/** TLS could not be established as configured (untrusted server, wrong organisation number, refused certificate). */
export class PostenTlsError extends PostenError {
  override readonly name = 'PostenTlsError';
}
