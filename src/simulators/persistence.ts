import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Keeps a simulator's state on disk across restarts, because the real partner does: a Ferje restart against a
 * simulator that forgot everything would look like a partner that lost its data, which no real partner does.
 *
 * The state is written as JSON (Maps, Sets and bytes tagged so they come back as themselves) to a temp file and
 * renamed into place, every `intervalMs` when it changed, and once more on stop. A simulator killed outright loses at
 * most the last interval; a clean stop loses nothing. Large, immutable parts (documents) belong in files of their own.
 */
export class PersistedState<T> {
  private last = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly file: string,
    private readonly capture: () => T,
    intervalMs = 250,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.timer = setInterval(() => this.save(), intervalMs);
    this.timer.unref();
  }

  /** The state saved by an earlier run, or undefined on a first start. */
  static load<T>(file: string): T | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    return JSON.parse(text, revive) as T;
  }

  /** Writes the state now if it changed since the last write. */
  save(): void {
    const text = JSON.stringify(this.capture(), replace);
    if (text === this.last) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.file);
    this.last = text;
  }

  /** Final write; the simulator stops after this. */
  close(): void {
    clearInterval(this.timer);
    this.save();
  }
}

function replace(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value.entries()] };
  if (value instanceof Set) return { $set: [...value.values()] };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  // Buffer.toJSON runs before the replacer sees a Buffer.
  if (isBufferJson(value)) return { $bytes: Buffer.from(value.data).toString('base64') };
  return value;
}

function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  );
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const tagged = value as { $map?: [unknown, unknown][]; $set?: unknown[]; $bytes?: string };
  if (tagged.$map) return new Map(tagged.$map);
  if (tagged.$set) return new Set(tagged.$set);
  if (typeof tagged.$bytes === 'string') return Buffer.from(tagged.$bytes, 'base64');
  return value;
}
