import type { Ss12000SyncPassInput, Ss12000SyncPassResult, StepOutcome, SyncStep } from '../../src/contract/ss12000';

/**
 * A sync pass's state and its transitions, as plain functions (no workflow API, no I/O): the per-step outcomes, how
 * a page's counts add up, and what a failed page turns the pass into. Timestamps are passed in.
 */

/** What one page activity reports: counts only, and the next page's token (absent = the list ended). */
export interface PageCountsLike {
  fetched: number;
  stored: number;
  invalid: number;
  deleted: number;
  nextPageToken?: string;
}

function emptyOutcome(step: SyncStep): StepOutcome {
  return { step, status: 'SUCCEEDED', pages: 0, fetched: 0, stored: 0, invalid: 0, deleted: 0 };
}

/** The outcome of step `index`: carried over from the previous run, or begun now (its start is its watermark). */
export function beginStep(outcomes: StepOutcome[], index: number, step: SyncStep, nowIso: string): StepOutcome {
  let outcome = outcomes[index];
  if (!outcome) {
    outcome = { ...emptyOutcome(step), startedAt: nowIso };
    outcomes.push(outcome);
  }
  return outcome;
}

/** Adds a page's counts to its step; returns the token of the next page, if any. */
export function addPage(outcome: StepOutcome, counts: PageCountsLike): string | undefined {
  outcome.pages++;
  outcome.fetched += counts.fetched;
  outcome.stored += counts.stored;
  outcome.invalid += counts.invalid;
  outcome.deleted += counts.deleted;
  return counts.nextPageToken;
}

export function passResult(
  input: Ss12000SyncPassInput,
  outcomes: StepOutcome[],
  outcome: 'SUCCEEDED' | 'FAILED',
): Ss12000SyncPassResult {
  return { huvudman: input.huvudman, passNumber: input.passNumber, kind: input.kind, outcome, steps: outcomes };
}

/**
 * A page failed for good: its step fails, every later step is skipped, and each of them gets a log entry for the
 * huvudman (what failed, or what was not fetched because of it).
 */
export function passFailed(
  input: Ss12000SyncPassInput,
  outcomes: StepOutcome[],
  index: number,
  error: { type: string; message: string },
  nowIso: string,
): { failed: StepOutcome; reports: { step: SyncStep; message: string }[]; result: Ss12000SyncPassResult } {
  const failed = outcomes[index];
  failed.status = 'FAILED';
  failed.finishedAt = nowIso;
  failed.error = error;
  for (const step of input.steps.slice(index + 1)) outcomes.push({ ...emptyOutcome(step), status: 'SKIPPED' });
  const reports = outcomes
    .filter((o) => o.status !== 'SUCCEEDED')
    .map((o) => ({
      step: o.step,
      message:
        o.status === 'FAILED'
          ? `Ferje could not fetch ${o.step} (page ${o.pages + 1}): ${error.message}. The sync stopped; it will be retried.`
          : `Ferje did not fetch ${o.step} because fetching ${failed.step} failed. It will be retried.`,
    }));
  return { failed, reports, result: passResult(input, outcomes, 'FAILED') };
}
