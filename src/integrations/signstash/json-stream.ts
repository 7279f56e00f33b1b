/**
 * An incremental JSON parser that builds the document in memory except for selected string values, which it hands
 * over in pieces as they arrive. Used for Sign'Stash results: `documentList[i].signedContent` holds a whole signed
 * document in base64, so a batch can be far larger than the worker's memory should hold.
 */
export interface StringStreamSink {
  /** Whether the string value at this position is streamed; `path` is the keys/indices from the root. */
  wants(path: readonly (string | number)[]): boolean;
  start(path: readonly (string | number)[]): void;
  /** A piece of the string (escapes already decoded). May return a promise to apply backpressure. */
  write(piece: string): void | Promise<void>;
  end(): void | Promise<void>;
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

type Frame =
  | {
      kind: 'object';
      value: Record<string, unknown>;
      key: string | undefined;
      state: 'key' | 'colon' | 'value' | 'comma';
    }
  | { kind: 'array'; value: unknown[]; state: 'value' | 'comma' };

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export class StreamingJsonParser {
  private readonly stack: Frame[] = [];
  private root: unknown;
  private done = false;
  /** Inside a string: the text so far (undefined when streaming), whether it is a key, pending escape text. */
  private str: { text: string | undefined; isKey: boolean; escape: string | undefined } | undefined;
  private scalar: string | undefined;
  private pending: Promise<void>[] = [];

  constructor(private readonly sink?: StringStreamSink) {}

  /** Feeds the next piece of text; resolves when the sink has accepted what this piece streamed. */
  async feed(text: string): Promise<void> {
    let i = 0;
    while (i < text.length) {
      if (this.str) {
        i = this.stringPart(text, i);
        continue;
      }
      const c = text[i];
      if (this.scalar !== undefined) {
        if (/[0-9a-zA-Z.+-]/.test(c)) {
          this.scalar += c;
          i++;
          continue;
        }
        this.completeValue(parseScalar(this.scalar));
        this.scalar = undefined;
        continue;
      }
      i++;
      if (WHITESPACE.has(c)) continue;
      this.structural(c);
    }
    const waits = this.pending;
    this.pending = [];
    if (waits.length > 0) await Promise.all(waits);
  }

  /** The parsed value; throws if the text ended early. */
  finish(): unknown {
    if (this.scalar !== undefined) {
      this.completeValue(parseScalar(this.scalar));
      this.scalar = undefined;
    }
    if (!this.done || this.str) throw new JsonSyntaxError('JSON ended early');
    return this.root;
  }

  private structural(c: string): void {
    const top = this.stack[this.stack.length - 1];
    if (this.done) throw new JsonSyntaxError('Text after the end of the JSON value');
    if (top?.kind === 'object' && top.state === 'key') {
      if (c === '"') return this.openString(true);
      if (c === '}' && Object.keys(top.value).length === 0) return this.close();
      throw new JsonSyntaxError(`Expected a key, got "${c}"`);
    }
    if (top?.kind === 'object' && top.state === 'colon') {
      if (c !== ':') throw new JsonSyntaxError(`Expected ":", got "${c}"`);
      top.state = 'value';
      return;
    }
    if (top && top.state === 'comma') {
      if (c === ',') {
        top.state = top.kind === 'object' ? 'key' : 'value';
        return;
      }
      if ((c === '}' && top.kind === 'object') || (c === ']' && top.kind === 'array')) return this.close();
      throw new JsonSyntaxError(`Expected "," or a closing bracket, got "${c}"`);
    }
    // A value is expected.
    if (c === ']' && top?.kind === 'array' && top.value.length === 0) return this.close();
    if (c === '{') return this.open({ kind: 'object', value: {}, key: undefined, state: 'key' });
    if (c === '[') return this.open({ kind: 'array', value: [], state: 'value' });
    if (c === '"') return this.openString(false);
    if (/[-0-9tfn]/.test(c)) {
      this.scalar = c;
      return;
    }
    throw new JsonSyntaxError(`Unexpected "${c}"`);
  }

  private path(): (string | number)[] {
    return this.stack.map((f) => (f.kind === 'object' ? (f.key ?? '') : f.value.length));
  }

  private open(frame: Frame): void {
    this.stack.push(frame);
  }

  private close(): void {
    const frame = this.stack.pop()!;
    this.completeValue(frame.value);
  }

  private openString(isKey: boolean): void {
    const streamed = !isKey && this.sink?.wants(this.path());
    this.str = { text: streamed ? undefined : '', isKey, escape: undefined };
    if (streamed) this.sink!.start(this.path());
  }

  /** Consumes string content from `text` at `i`; returns the next index. */
  private stringPart(text: string, i: number): number {
    const s = this.str!;
    if (s.escape !== undefined) {
      s.escape += text[i];
      const decoded = decodeEscape(s.escape);
      if (decoded === undefined) return i + 1;
      s.escape = undefined;
      this.emit(decoded);
      return i + 1;
    }
    let j = i;
    while (j < text.length && text[j] !== '"' && text[j] !== '\\') j++;
    if (j > i) this.emit(text.slice(i, j));
    if (j === text.length) return j;
    if (text[j] === '\\') {
      s.escape = '\\';
      return j + 1;
    }
    this.str = undefined;
    if (s.text === undefined) {
      const ended = this.sink!.end();
      if (ended) this.pending.push(ended);
      this.completeValue(undefined);
    } else if (s.isKey) {
      const top = this.stack[this.stack.length - 1] as Extract<Frame, { kind: 'object' }>;
      top.key = s.text;
      top.state = 'colon';
    } else {
      this.completeValue(s.text);
    }
    return j + 1;
  }

  private emit(piece: string): void {
    const s = this.str!;
    if (s.text !== undefined) {
      s.text += piece;
      return;
    }
    const written = this.sink!.write(piece);
    if (written) this.pending.push(written);
  }

  private completeValue(value: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.root = value;
      this.done = true;
      return;
    }
    if (top.kind === 'object') {
      if (value !== undefined) top.value[top.key!] = value;
      top.state = 'comma';
    } else {
      top.value.push(value);
      top.state = 'comma';
    }
  }
}

function decodeEscape(escape: string): string | undefined {
  if (escape.length < 2) return undefined;
  const kind = escape[1];
  if (kind !== 'u') {
    const decoded = ESCAPES[kind];
    if (decoded === undefined) throw new JsonSyntaxError(`Bad escape "${escape}"`);
    return decoded;
  }
  if (escape.length < 6) return undefined;
  const code = Number.parseInt(escape.slice(2), 16);
  if (!/^[0-9a-fA-F]{4}$/.test(escape.slice(2))) throw new JsonSyntaxError(`Bad escape "${escape}"`);
  return String.fromCharCode(code);
}

function parseScalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
    throw new JsonSyntaxError(`Bad literal "${text}"`);
  }
  return n;
}
