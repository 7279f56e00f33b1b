/**
 * A list answer (`{"data": [ … ], "pageToken": …}`) split into the exact JSON text of each element of `data`, without
 * parsing the elements. A page of 2 500 entities parsed at once is tens of megabytes of objects that all live until
 * the page is stored; split, each entity is parsed only while it is validated, so memory no longer follows the page's
 * object graph.
 *
 * The split reads the answer's bytes, and each element is decoded from its own bytes into a string of its own; the
 * page never exists as one string. Node decodes a large answer of pure ASCII (most pages) into an external string,
 * and in the production worker, copying slices of it into SQLite (the store reads every character of every entity)
 * took 82-105 ms a 2 500-entity page, against 45 ms for strings of their own (docs/cost-and-scale.md).
 * The structural characters are ASCII, and no byte of a multi-byte UTF-8 sequence is below 0x80, so scanning bytes
 * finds the same structure as scanning characters.
 *
 * Only the structure around the elements is read here; every element and every other field is checked by
 * `JSON.parse` when it is used, so a malformed body is still refused, never half-read.
 */
export interface SplitListBody {
  /** The JSON text of each element of `data`, in order; undefined when the body has no `data` array. */
  elements?: string[];
  /** Every other top-level field, parsed (e.g. `pageToken`). */
  fields: Record<string, unknown>;
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function skipSpace(b: Uint8Array, i: number): number {
  for (let c = b[i]; c === SPACE || c === LF || c === CR || c === TAB; c = b[++i]);
  return i;
}

function fail(at: number): never {
  throw new SyntaxError(`list body is not JSON (at offset ${at})`);
}

/** The index just after the string that starts at `i` (which is a quote). */
function endOfString(b: Uint8Array, i: number): number {
  for (i++; i < b.length; i++) {
    const c = b[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return fail(i);
}

/**
 * The index just after the value that starts at `i`. Objects and arrays end at their matching bracket (strings
 * skipped); a scalar ends before the next separator. Whether the value itself is valid JSON is `JSON.parse`'s to say.
 */
function endOfValue(b: Uint8Array, i: number): number {
  const first = b[i];
  if (first === QUOTE) return endOfString(b, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let j = i;
    for (let c = b[j]; j < b.length; c = b[++j]) {
      if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || c === SPACE || c === LF || c === CR || c === TAB)
        break;
    }
    return j > i ? j : fail(i);
  }
  let depth = 0;
  for (let j = i; j < b.length; j++) {
    const c = b[j];
    if (c === QUOTE) j = endOfString(b, j) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return j + 1;
  }
  return fail(b.length);
}

/** The elements of the array that starts at `i`; returns them and the index after the array. */
function splitArray(b: Uint8Array, i: number): { elements: string[]; end: number } {
  const elements: string[] = [];
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_BRACKET) return { elements, end: i + 1 };
  for (;;) {
    const end = endOfValue(b, i);
    elements.push(decode(b, i, end));
    i = skipSpace(b, end);
    const c = b[i];
    if (c === CLOSE_BRACKET) return { elements, end: i + 1 };
    if (c !== COMMA) fail(i);
    i = skipSpace(b, i + 1);
  }
}

/** A byte range as a string of its own (invalid UTF-8 becomes U+FFFD, as when the whole answer is read as text). */
function decode(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

/** Splits a list answer (its bytes); throws `SyntaxError` when its structure is not a JSON object. */
export function splitListBody(b: Uint8Array): SplitListBody {
  const fields: Record<string, unknown> = {};
  let elements: string[] | undefined;
  // A leading byte order mark is not part of the JSON (the Fetch standard's "UTF-8 decode" drops it, as undici does).
  let i = skipSpace(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
  if (b[i] !== OPEN_BRACE) fail(i);
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE_BRACE) i++;
  else {
    for (;;) {
      if (b[i] !== QUOTE) fail(i);
      const keyEnd = endOfString(b, i);
      const key = JSON.parse(decode(b, i, keyEnd)) as string;
      i = skipSpace(b, keyEnd);
      if (b[i] !== COLON) fail(i);
      i = skipSpace(b, i + 1);
      if (key === 'data' && b[i] === OPEN_BRACKET) {
        const split = splitArray(b, i);
        // Like JSON.parse, a repeated key counts once, the last one.
        elements = split.elements;
        delete fields.data;
        i = split.end;
      } else {
        const end = endOfValue(b, i);
        if (key === 'data') elements = undefined;
        // A key named like an Object.prototype member is a plain field here, as it is for JSON.parse.
        Object.defineProperty(fields, key, {
          value: JSON.parse(decode(b, i, end)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        i = end;
      }
      i = skipSpace(b, i);
      const c = b[i];
      if (c === CLOSE_BRACE) {
        i++;
        break;
      }
      if (c !== COMMA) fail(i);
      i = skipSpace(b, i + 1);
    }
  }
  if (skipSpace(b, i) !== b.length) fail(i);
  return { elements, fields };
}
