import type { InputProblem } from '../../contract/failure-types';

/** The IP's error body (Spring Boot's default error attributes; not RFC 7807). */
export interface SpringErrorBody {
  timestamp?: string;
  status?: number;
  error?: string;
  exception?: string;
  message?: string;
  path?: string;
  errors?: { field?: string; code?: string; defaultMessage?: string; objectName?: string }[];
  description?: string;
}

export class EformidlingError extends Error {
  override readonly name: string = 'EformidlingError';
}

/**
 * A non-2xx answer of the IP. `exception` is the last segment of the Java class name (e.g.
 * `MessageAlreadyExistsException`): the stable thing to branch on, together with `status`.
 */
export class EformidlingApiError extends EformidlingError {
  override readonly name: string = 'EformidlingApiError';
  /** From a `Retry-After` header (429/503), when the IP or a proxy in front of it sent one. */
  retryAfterMs?: number;
  constructor(
    readonly status: number,
    readonly exception: string | undefined,
    message: string,
    readonly body: SpringErrorBody | undefined,
  ) {
    super(message);
  }
  /** 4xx other than 408/429: retrying the same request cannot help. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
  /** Field names of bean-validation errors (never the rejected values). */
  get fieldErrors(): string[] {
    return (this.body?.errors ?? []).map((e) => `${e.field ?? e.objectName ?? '?'}: ${e.code ?? 'invalid'}`);
  }
}

/** `MessageAlreadyExistsException`: the messageId is in the outbox or has a conversation (a retried create). */
export class MessageAlreadyExistsError extends EformidlingApiError {
  override readonly name = 'MessageAlreadyExistsError';
}
/** `MessageNotFoundException` (404): not in the outbox (already handed to transport) or unknown incoming message. */
export class MessageNotFoundError extends EformidlingApiError {
  override readonly name = 'MessageNotFoundError';
}
/** `MessageNotLockedException`: pop/delete of an incoming message whose lock is missing or expired. */
export class MessageNotLockedError extends EformidlingApiError {
  override readonly name = 'MessageNotLockedError';
}
/** `DuplicateFilenameException`: a file with this name is already part of the message. */
export class DuplicateFilenameError extends EformidlingApiError {
  override readonly name = 'DuplicateFilenameError';
}
/** `IdentifierNotFoundException` (404 on capabilities): the receiver is not in the registers. */
export class ReceiverNotFoundError extends EformidlingApiError {
  override readonly name = 'ReceiverNotFoundError';
}
/** `MaxFileSizeExceededException` / `MultipartFileToLargeException`: a size limit of the IP. */
export class FileTooLargeError extends EformidlingApiError {
  override readonly name = 'FileTooLargeError';
}

/**
 * A peek whose `serviceIdentifier` filter the IP does not know (its `ServiceIdentifier.valueOf` throws, answered 500
 * `IllegalArgumentException`): a configuration error that retrying cannot fix.
 */
export class PeekFilterRefusedError extends EformidlingApiError {
  override readonly name = 'PeekFilterRefusedError';
}

/** `WebhookPushEndpointPingFailedException` (400): the IP pinged the push endpoint and got a 4xx/5xx answer. */
export class PingFailedError extends EformidlingApiError {
  override readonly name = 'PingFailedError';
}

const byException: Record<
  string,
  new (
    status: number,
    exception: string | undefined,
    message: string,
    body: SpringErrorBody | undefined,
  ) => EformidlingApiError
> = {
  MessageAlreadyExistsException: MessageAlreadyExistsError,
  MessageNotFoundException: MessageNotFoundError,
  MessageNotLockedException: MessageNotLockedError,
  DuplicateFilenameException: DuplicateFilenameError,
  IdentifierNotFoundException: ReceiverNotFoundError,
  MaxFileSizeExceededException: FileTooLargeError,
  MultipartFileToLargeException: FileTooLargeError,
  WebhookPushEndpointPingFailedException: PingFailedError,
};

/** Maps an error answer to the most precise class. Messages carry status and exception name, never the body text. */
export function apiErrorFrom(
  status: number,
  body: SpringErrorBody | undefined,
  method: string,
  path: string,
): EformidlingApiError {
  const exception = body?.exception?.split('.').pop();
  const Cls = (exception && byException[exception]) || EformidlingApiError;
  return new Cls(status, exception, `${method} ${path} answered ${status}${exception ? ` ${exception}` : ''}`, body);
}

/** Ferje's own check of an SBD description failed: nothing was sent. */
export class SbdValidationError extends EformidlingError {
  override readonly name = 'SbdValidationError';
  constructor(readonly problems: InputProblem[]) {
    super(`The message description is invalid: ${problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`);
  }
}

/** The files together exceed the transport's total limit; checked before any call. */
export class TransportLimitExceededError extends EformidlingError {
  override readonly name = 'TransportLimitExceededError';
  constructor(
    readonly serviceIdentifier: string,
    readonly totalBytes: number,
    readonly limitBytes: number,
  ) {
    super(`The files total ${totalBytes} bytes; ${serviceIdentifier} accepts at most ${limitBytes}`);
  }
}

/** A 2xx answer whose body is not what the API documents. */
export class MalformedResponseError extends EformidlingError {
  override readonly name = 'MalformedResponseError';
}
