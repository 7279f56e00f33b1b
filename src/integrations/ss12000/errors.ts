import { ss12000FailureTypes } from '../../contract/ss12000';

/** Base of every error the SS12000 client raises; `failureType` is what the activity reports to the workflow. */
export class Ss12000Error extends Error {
  override readonly name: string = 'Ss12000Error';
  constructor(
    message: string,
    readonly failureType: string,
    readonly retryable: boolean,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** 5xx, timeouts, dropped connections: worth another attempt. */
export class Ss12000UnavailableError extends Ss12000Error {
  override readonly name = 'Ss12000UnavailableError';
  constructor(message: string, httpStatus?: number) {
    super(message, ss12000FailureTypes.apiUnavailable, true, httpStatus);
  }
}

/** A body that is not the JSON the standard describes (retryable: a proxy may have cut it). */
export class Ss12000MalformedResponseError extends Ss12000Error {
  override readonly name = 'Ss12000MalformedResponseError';
  constructor(message: string, httpStatus?: number) {
    super(message, 'FerjeMalformedResponse', true, httpStatus);
  }
}

/** 401/403: our token is not accepted. */
export class Ss12000UnauthorizedError extends Ss12000Error {
  override readonly name = 'Ss12000UnauthorizedError';
  constructor(message: string, httpStatus: number) {
    super(message, ss12000FailureTypes.unauthorized, false, httpStatus);
  }
}

/** Other 4xx: the request itself is wrong; a retry cannot fix it. */
export class Ss12000RejectedError extends Ss12000Error {
  override readonly name = 'Ss12000RejectedError';
  constructor(message: string, httpStatus: number) {
    super(message, 'FerjeRejectedByPartner', false, httpStatus);
  }
}

/** 404 on a subscription: the huvudman lost it. */
export class Ss12000SubscriptionLostError extends Ss12000Error {
  override readonly name = 'Ss12000SubscriptionLostError';
  constructor(message: string) {
    super(message, ss12000FailureTypes.subscriptionLost, false, 404);
  }
}

export class Ss12000TokenError extends Ss12000Error {
  override readonly name = 'Ss12000TokenError';
  constructor(message: string) {
    super(message, ss12000FailureTypes.tokenUnavailable, true);
  }
}
