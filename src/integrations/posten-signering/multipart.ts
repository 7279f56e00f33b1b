import { randomBytes } from 'node:crypto';

/**
 * `multipart/mixed` with two parts, XML first, as both official clients send it (the server tells the parts apart by
 * Content-Type; `form-data` libraries would write `multipart/form-data` with names, which is not what Posten expects).
 */
export interface MultipartMixed {
  contentType: string;
  head: Buffer;
  tail: Buffer;
}

export function multipartMixed(xml: string): MultipartMixed {
  const boundary = `ferje-${randomBytes(16).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Type: application/xml; charset=UTF-8\r\n\r\n${xml}\r\n` +
      `--${boundary}\r\nContent-Type: application/octet-stream\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return { contentType: `multipart/mixed; boundary=${boundary}`, head, tail };
}

export interface MultipartPart {
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits a multipart body (the simulator's side). */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new Error('multipart body without boundary');
  const delimiter = Buffer.from(`--${m[1] ?? m[2].trim()}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('multipart boundary not found');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw new Error('unterminated multipart body');
    const raw = body.subarray(pos, next - 2); // drop the CRLF before the delimiter
    const headerEnd = raw.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('multipart part without header block');
    const headers: Record<string, string> = {};
    for (const line of raw.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: raw.subarray(headerEnd + 4) });
    pos = next;
  }
  return parts;
}
