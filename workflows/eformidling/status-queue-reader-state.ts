import type { DrainResult } from '../../activities/eformidling';
import type { StatusQueueReaderInput, StatusQueueReaderTotals } from '../../src/contract/eformidling';
import { durationToMs } from '../../src/contract/input-rules';

/**
 * The status-queue reader's decisions as plain functions (no I/O, no workflow API). Unit-tested in
 * test/unit/eformidling/status-queue-reader-state.test.ts.
 */
export interface ReaderSettings {
  pollMs: number;
  batchSize: number;
}

/** The validated input's settings with their defaults: wait 10 seconds when empty, 100 statuses per drain. */
export function readerSettings(input: StatusQueueReaderInput): ReaderSettings {
  return { pollMs: durationToMs(input.pollInterval ?? '10 seconds') ?? 10_000, batchSize: input.batchSize ?? 100 };
}

export function startTotals(input: StatusQueueReaderInput): StatusQueueReaderTotals {
  return input.totals ? { ...input.totals } : { dispatched: 0, withoutWorkflow: 0 };
}

/** Adds one drain to the totals; true when the queue was empty (wait before the next drain). */
export function noteDrained(totals: StatusQueueReaderTotals, drained: DrainResult): boolean {
  totals.dispatched += drained.dispatched;
  totals.withoutWorkflow += drained.withoutWorkflow;
  return drained.empty;
}
