import { msToNumber } from '@temporalio/common/lib/time';
import type { InputProblem } from './failure-types';
import { containsNationalIdentityNumber } from './personal-data';

/**
 * Small, shared rules for validating inputs (in workflows, before any side effect, and in clients, before a start).
 * Every rule records a problem by path and never echoes the value: values may be personal data. Validators take
 * `unknown`, because a caller in another language can send anything, `null` included.
 */
export class InputProblems {
  readonly list: InputProblem[] = [];

  add(path: string, problem: string): void {
    this.list.push({ path, problem });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An integer within [min, max]; `undefined` passes when optional. Returns the value when valid. */
export function checkInteger(
  problems: InputProblems,
  path: string,
  value: unknown,
  bounds: { min: number; max: number; optional?: boolean },
): number | undefined {
  if (value === undefined && bounds.optional) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    problems.add(path, `must be an integer from ${bounds.min} to ${bounds.max}`);
    return undefined;
  }
  return value;
}

/**
 * A duration (a Temporal duration string such as `30 seconds`/`5m`, or milliseconds as a number) within bounds, so a
 * caller cannot turn a poll or a safety pass into a tight loop (`0 seconds`) or a timer that never fires.
 */
export function checkDuration(
  problems: InputProblems,
  path: string,
  value: unknown,
  bounds: { minMs: number; maxMs: number; optional?: boolean },
): number | undefined {
  if (value === undefined && bounds.optional) return undefined;
  const ms = durationToMs(value);
  if (ms === undefined || ms < bounds.minMs || ms > bounds.maxMs) {
    problems.add(path, `must be a duration from ${describeMs(bounds.minMs)} to ${describeMs(bounds.maxMs)}`);
    return undefined;
  }
  return ms;
}

/** A Temporal duration string or a number of milliseconds; undefined when unparsable or negative. */
export function durationToMs(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    const ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

function describeMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day(s)`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour(s)`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minute(s)`;
  if (ms % 1000 === 0) return `${ms / 1000} second(s)`;
  return `${ms} ms`;
}

const KEY_SEGMENT = /^[A-Za-z0-9._:@+=-]+$/;

/**
 * An opaque identifier that may become part of a workflow ID or a search attribute: a safe alphabet, bounded, and
 * never a national identity number (those are personal data and would be stored in plain text).
 */
export function checkKeySegment(
  problems: InputProblems,
  path: string,
  value: unknown,
  options: { maxLength?: number; optional?: boolean } = {},
): string | undefined {
  const max = options.maxLength ?? 128;
  if (value === undefined && options.optional) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !KEY_SEGMENT.test(value)) {
    problems.add(path, `must be 1-${max} characters of A-Z a-z 0-9 . _ : @ + = -`);
    return undefined;
  }
  if (containsNationalIdentityNumber(value)) {
    problems.add(path, 'looks like a national identity number; use an opaque reference instead (personal data)');
    return undefined;
  }
  return value;
}
