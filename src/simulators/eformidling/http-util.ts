import { STATUS_CODES, type ServerResponse } from 'node:http';

/** Thrown by handlers; becomes a Spring-style error body. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly exception: string,
    message: string,
    readonly errors?: { field: string; code: string; defaultMessage: string }[],
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

export function sendSpringError(res: ServerResponse, err: SimError, path: string): void {
  const pkg =
    err.exception === 'MethodArgumentNotValidException'
      ? 'org.springframework.web.bind'
      : 'no.difi.meldingsutveksling.exceptions';
  sendIpJson(res, err.status, {
    timestamp: ipTime(),
    status: err.status,
    error: STATUS_CODES[err.status] ?? 'Error',
    exception: `${pkg}.${err.exception}`,
    message: err.message,
    path,
    errors: err.errors,
  });
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
