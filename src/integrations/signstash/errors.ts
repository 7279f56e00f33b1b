import { errorCodes, type WireErrorResponse } from './wire';
import type { WireProfile } from './wire-profile';

/**
 * Every failure the Sign'Stash client raises. `retryable` says whether the same request may succeed later; the
 * activities map these onto ApplicationFailures with the contract's stable types. Messages carry codes and statuses,
 * never request content (which may be personal data); the product's `causeMessage` stays in `body` only.
 */
export abstract class SignstashError extends Error {
  abstract readonly retryable: boolean;
}

/** An answer in the product's `ErrorResponse` shape (or a non-2xx without one). */
export class SignstashApiError extends SignstashError {
  override readonly name: string = 'SignstashApiError';
  readonly retryable: boolean = false;
  constructor(
    readonly httpStatus: number,
    readonly body: WireErrorResponse | undefined,
    what: string,
  ) {
    super(`${what}: HTTP ${httpStatus}${body ? ` ${body.errorCode} (${body.errorCodeDescription})` : ''}`);
  }
  get errorCode(): string | undefined {
    return this.body?.errorCode;
  }
}

/** 500 0.0.2 / 0.0.4 / 0.0.6: the product reports validation errors as HTTP 500. Not retryable. */
export class SignstashValidationError extends SignstashApiError {
  override readonly name = 'SignstashValidationError';
}

/** 409 0.0.7: the external reference is already in use on that instance. */
export class SignstashReferenceInUseError extends SignstashApiError {
  override readonly name = 'SignstashReferenceInUseError';
}

/** 401 invalid_token or 409 0.0.10: the token is stale. Retried once with a fresh token, then surfaced. */
export class SignstashTokenRejectedError extends SignstashApiError {
  override readonly name = 'SignstashTokenRejectedError';
}

/** Token endpoint refused the credentials, or the licence/issuer/partner is not active (401 1.1.x, 403 1.x). */
export class SignstashAccessDeniedError extends SignstashApiError {
  override readonly name = 'SignstashAccessDeniedError';
}

/**
 * The proxy's own "operation not found" (404 with the profile's error code in an `ErrorResponse`): this instance does
 * not know the reference (wrong instance, restarted without state, or expired). The only answer that means "lost".
 */
export class SignstashOperationNotFoundError extends SignstashApiError {
  override readonly name = 'SignstashOperationNotFoundError';
}

/**
 * Any other 404: an HTML page from a gateway, another error code, a path the proxy does not have. The request never
 * reached an endpoint that knows operations, so nothing can be concluded about the operation: a configuration error
 * (wrong base URL, wrong wire profile, a gateway route missing), never a reason to start the operation again.
 */
export class SignstashEndpointNotFoundError extends SignstashApiError {
  override readonly name = 'SignstashEndpointNotFoundError';
  constructor(
    httpStatus: number,
    body: WireErrorResponse | undefined,
    what: string,
    readonly path: string,
    readonly contentType: string | undefined,
  ) {
    super(httpStatus, body, what);
    this.message =
      `${what}: HTTP 404 from ${path} is not the proxy's "operation not found" answer ` +
      `(${body ? `error code ${body.errorCode}` : `a ${contentType ?? 'untyped'} body without the product's ErrorResponse`}); ` +
      'check the base URL, the allow-listed instances, the gateway and the wire profile';
  }
}

/** 409 9.0.2: the result was asked for before the operation became final. */
export class SignstashOperationPendingError extends SignstashApiError {
  override readonly name = 'SignstashOperationPendingError';
}

/** 500 0.0.1, 502-504 and other server-side trouble: worth retrying. */
export class SignstashServerError extends SignstashApiError {
  override readonly name = 'SignstashServerError';
  override readonly retryable = true;
  constructor(
    httpStatus: number,
    body: WireErrorResponse | undefined,
    what: string,
    readonly retryAfterMs?: number,
  ) {
    super(httpStatus, body, what);
  }
}

/** Connection refused/reset, DNS failure or timeout: the instance (or load balancer) could not be reached. */
export class SignstashUnreachableError extends SignstashError {
  override readonly name = 'SignstashUnreachableError';
  readonly retryable = true;
  constructor(
    readonly origin: string,
    readonly causeCode: string,
  ) {
    super(`Sign'Stash at ${origin} is unreachable (${causeCode})`);
  }
}

/** An instance advertised a host/port that is not on the configured allow-list: never contacted. */
export class SignstashUntrustedInstanceError extends SignstashError {
  override readonly name = 'SignstashUntrustedInstanceError';
  readonly retryable = false;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Sign'Stash advertised instance ${host}:${port}, which is not on SIGNSTASH_INSTANCE_ALLOWLIST`);
  }
}

/** A 2xx answer that does not have the agreed shape. */
export class SignstashMalformedResponseError extends SignstashError {
  override readonly name = 'SignstashMalformedResponseError';
  readonly retryable = false;
}

export interface FailedAnswer {
  httpStatus: number;
  body: WireErrorResponse | undefined;
  what: string;
  retryAfterMs?: number;
  /** The request path and the answer's content type, for a 404 that says which endpoint is missing. */
  path: string;
  contentType?: string;
}

/**
 * Maps a non-2xx answer to the precise error class, following the product's quirks (§7) and the profile's error codes
 * (§9.6; without `errors`, for endpoints that know no operations, no answer means "operation not found" or "pending").
 */
export function classifyApiError(answer: FailedAnswer, errors?: WireProfile['errors']): SignstashApiError {
  const { httpStatus, body, what, retryAfterMs } = answer;
  const code = body?.errorCode;
  if (httpStatus === 401 && (code === undefined || !code.startsWith('1.'))) {
    return new SignstashTokenRejectedError(httpStatus, body, what);
  }
  if (httpStatus === 409 && code === errorCodes.tokenInvalid)
    return new SignstashTokenRejectedError(httpStatus, body, what);
  if (httpStatus === 409 && code === errorCodes.alreadyExists)
    return new SignstashReferenceInUseError(httpStatus, body, what);
  if (errors && httpStatus === errors.notFinal.httpStatus && code === errors.notFinal.errorCode)
    return new SignstashOperationPendingError(httpStatus, body, what);
  if (errors && httpStatus === errors.operationNotFound.httpStatus && code === errors.operationNotFound.errorCode)
    return new SignstashOperationNotFoundError(httpStatus, body, what);
  if (httpStatus === 404)
    return new SignstashEndpointNotFoundError(httpStatus, body, what, answer.path, answer.contentType);
  if (httpStatus === 401 || httpStatus === 403) return new SignstashAccessDeniedError(httpStatus, body, what);
  if (
    httpStatus === 500 &&
    (code === errorCodes.mandatoryMissing ||
      code === errorCodes.attributeTooLarge ||
      code === errorCodes.invalidParameter ||
      code === errorCodes.clientServiceNotSetUp)
  ) {
    return new SignstashValidationError(httpStatus, body, what);
  }
  if (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408) {
    return new SignstashServerError(httpStatus, body, what, retryAfterMs);
  }
  return new SignstashApiError(httpStatus, body, what);
}

export function isWireErrorResponse(value: unknown): value is WireErrorResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).errorCode === 'string' &&
    typeof (value as Record<string, unknown>).errorCodeDescription === 'string'
  );
}
