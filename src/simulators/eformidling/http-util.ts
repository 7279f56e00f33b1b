import { STATUS_CODES, type ServerResponse } from 'node:http';

/** One bean-validation error as the IP renders it (a Spring `FieldError` serialized by Jackson, nulls left out). */
export interface FieldProblem {
  field: string;
  code: string;
  defaultMessage: string;
  /** `objectName`: the SBD for `MethodArgumentNotValidException`, the property path for `ConstraintViolationException`. */
  objectName?: string;
}

/**
 * Thrown by handlers; becomes the IP's error body. `exception` is a simple name of the IP's own exceptions package, or
 * a fully qualified name for Spring's and Java's (`jakarta.validation.ConstraintViolationException`,
 * `java.lang.IllegalArgumentException`).
 */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly exception: string,
    message: string,
    readonly errors?: FieldProblem[],
  ) {
    super(message);
  }
}

/** ISO-8601 with an explicit offset, as the IP writes timestamps. */
export function ipTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** The IP pretty-prints JSON and omits nulls. */
export function sendIpJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (v === null ? undefined : v), 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const SPRING_EXCEPTIONS: Record<string, string> = {
  MethodArgumentNotValidException: 'org.springframework.web.bind',
  MissingRequestHeaderException: 'org.springframework.web.bind',
  MissingServletRequestPartException: 'org.springframework.web.multipart.support',
  HttpMessageNotReadableException: 'org.springframework.http.converter',
  NoHandlerFoundException: 'org.springframework.web.servlet',
};

/**
 * The IP's error body (`IntegrasjonspunktErrorController` with `IntegrasjonspunktErrorAttributes`): timestamp, status,
 * reason phrase, the exception's class name, message and path; `errors` for bean validation, each a Spring
 * `FieldError` (`codes`, `defaultMessage`, `objectName`, `field`, `bindingFailure`, `code`).
 */
export function sendSpringError(res: ServerResponse, err: SimError, path: string): void {
  const exception = err.exception.includes('.')
    ? err.exception
    : `${SPRING_EXCEPTIONS[err.exception] ?? 'no.difi.meldingsutveksling.exceptions'}.${err.exception}`;
  sendIpJson(res, err.status, {
    timestamp: ipTime(),
    status: err.status,
    error: STATUS_CODES[err.status] ?? 'Error',
    exception,
    message: err.message,
    path,
    errors: err.errors?.map((e) => ({
      codes: [e.code],
      defaultMessage: e.defaultMessage,
      objectName: e.objectName ?? e.field,
      field: e.field,
      bindingFailure: false,
      code: e.code,
    })),
  });
}

/** `Asserter.isValid`'s failure: 400 `jakarta.validation.ConstraintViolationException` with one error per violation. */
export function constraintViolation(errors: FieldProblem[]): SimError {
  return new SimError(
    400,
    'jakarta.validation.ConstraintViolationException',
    `The following violations where found when validating: ${errors.map((e) => `${e.field} ${e.defaultMessage}`).join(', ')}`,
    errors,
  );
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, status === 204 ? {} : { 'content-length': 0 });
  res.end();
}

/** Spring Data `Page` JSON for a slice of a list. */
export function pageOf<T>(items: T[], page: number, size: number): Record<string, unknown> {
  const content = items.slice(page * size, page * size + size);
  const totalPages = Math.ceil(items.length / size);
  const sort = { sorted: true, unsorted: false, empty: false };
  return {
    content,
    pageable: { sort, pageNumber: page, pageSize: size, offset: page * size, paged: true, unpaged: false },
    totalElements: items.length,
    totalPages,
    last: page >= totalPages - 1,
    first: page === 0,
    size,
    number: page,
    numberOfElements: content.length,
    empty: content.length === 0,
    sort,
  };
}

export function pageParams(query: URLSearchParams): { page: number; size: number } {
  const page = Math.max(0, Number(query.get('page') ?? 0) || 0);
  const size = Math.min(2000, Math.max(1, Number(query.get('size') ?? 10) || 10));
  return { page, size };
}

export function badRequest(exception: string, message: string): SimError {
  return new SimError(400, exception, message);
}

/** `name="x"; filename="y"; filename*=UTF-8''z` → parts (filename* wins). */
export function parseContentDisposition(header: string | undefined): { name?: string; filename?: string } {
  if (!header) return {};
  const out: { name?: string; filename?: string } = {};
  const re = /;\s*([\w*]+)=("((?:[^"\\]|\\.)*)"|[^;]*)/g;
  let m: RegExpExecArray | null;
  let extended: string | undefined;
  while ((m = re.exec(header)) !== null) {
    const key = m[1].toLowerCase();
    const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2].trim();
    if (key === 'name') out.name = value;
    else if (key === 'filename') out.filename = value;
    else if (key === 'filename*') extended = value;
  }
  if (extended) {
    const ext = /^([\w-]+)'[\w-]*'(.*)$/.exec(extended);
    if (ext) {
      try {
        out.filename = decodeURIComponent(ext[2]);
      } catch {
        // keep the plain filename
      }
    }
  }
  return out;
}
