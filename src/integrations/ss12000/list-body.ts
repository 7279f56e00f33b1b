/**
 * A list answer (`{"data": [ … ], "pageToken": …}`) split into the exact JSON text of each element of `data`, without
 * parsing the elements. A page of 2 500 entities parsed at once is tens of megabytes of objects that all live until
 * the page is stored; split, each entity is parsed only while it is validated, so a page costs about its own text
 * (the elements are slices of it, not copies) and memory no longer follows the page's object graph.
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

function skipSpace(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === SPACE || c === LF || c === CR || c === TAB; c = text.charCodeAt(++i));
  return i;
}

function fail(at: number): never {
  throw new SyntaxError(`list body is not JSON (at offset ${at})`);
}

/** The index just after the string that starts at `i` (which is a quote). */
function endOfString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return fail(i);
}

/**
 * The index just after the value that starts at `i`. Objects and arrays end at their matching bracket (strings
 * skipped); a scalar ends before the next separator. Whether the value itself is valid JSON is `JSON.parse`'s to say.
 */
function endOfValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return endOfString(text, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let j = i;
    for (let c = text.charCodeAt(j); j < text.length; c = text.charCodeAt(++j)) {
      if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || c === SPACE || c === LF || c === CR || c === TAB)
        break;
    }
    return j > i ? j : fail(i);
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) j = endOfString(text, j) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return j + 1;
  }
  return fail(text.length);
}

/** The elements of the array that starts at `i`; returns them and the index after the array. */
function splitArray(text: string, i: number): { elements: string[]; end: number } {
  const elements: string[] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACKET) return { elements, end: i + 1 };
  for (;;) {
    const end = endOfValue(text, i);
    elements.push(text.slice(i, end));
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACKET) return { elements, end: i + 1 };
    if (c !== COMMA) fail(i);
    i = skipSpace(text, i + 1);
  }
}

/** Splits a list answer; throws `SyntaxError` when its structure is not a JSON object. */
export function splitListBody(text: string): SplitListBody {
  const fields: Record<string, unknown> = {};
  let elements: string[] | undefined;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) fail(i);
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) i++;
  else {
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) fail(i);
      const keyEnd = endOfString(text, i);
      const key = JSON.parse(text.slice(i, keyEnd)) as string;
      i = skipSpace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) fail(i);
      i = skipSpace(text, i + 1);
      if (key === 'data' && text.charCodeAt(i) === OPEN_BRACKET) {
        const split = splitArray(text, i);
        // Like JSON.parse, a repeated key counts once, the last one.
        elements = split.elements;
        delete fields.data;
        i = split.end;
      } else {
        const end = endOfValue(text, i);
        if (key === 'data') elements = undefined;
        // A key named like an Object.prototype member is a plain field here, as it is for JSON.parse.
        Object.defineProperty(fields, key, {
          value: JSON.parse(text.slice(i, end)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        i = end;
      }
      i = skipSpace(text, i);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) {
        i++;
        break;
      }
      if (c !== COMMA) fail(i);
      i = skipSpace(text, i + 1);
    }
  }
  if (skipSpace(text, i) !== text.length) fail(i);
  return { elements, fields };
}
