import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { searchAttributes } from '../../src/contract/search-attributes';
import { ss12000FailureTypes } from '../../src/contract/ss12000/failure-types';
import type { SyncStep } from '../../src/contract/ss12000/resource-types';
import type { Ss12000SyncPassInput, Ss12000SyncPassResult, StepOutcome } from '../../src/contract/ss12000/types';
import type { Ss12000Activities } from '../../activities/ss12000';
import { errorInWords, passDetails } from './details';

// Each GET gets three attempts (the first counts) before the pass is considered failed, as DNP does. The heartbeat
// timeout is how soon another worker takes a page over when the one running it dies.
const pageOptions = {
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
} as const;
const { ss12000SyncPage } = proxyActivities<Ss12000Activities>(pageOptions);

const { ss12000ReportPassFailure } = proxyActivities<Ss12000Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
});

const nowIso = (): string => new Date(Date.now()).toISOString();

function emptyOutcome(step: SyncStep): StepOutcome {
  return { step, status: 'SUCCEEDED', pages: 0, fetched: 0, stored: 0, invalid: 0, deleted: 0 };
}

/**
 * One sync pass: the steps strictly in order (ORGANISATION, PERSON, GROUP, DUTY, ACTIVITY, then DELETED), every
 * page one activity. The page token lives in this workflow's state, so a crashed worker resumes at the page where
 * it stopped; a GET that fails three times fails the pass, and each failed or unfetched type is logged to the
 * huvudman before the pass fails with `Ss12000SyncPassFailed` (details: the per-step outcomes).
 */
export async function ss12000SyncPassWorkflow(input: Ss12000SyncPassInput): Promise<Ss12000SyncPassResult> {
  const outcomes: StepOutcome[] = input.resume?.outcomes ?? [];
  let pageToken = input.resume?.pageToken;
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'SYNCING' }]);

  for (let index = input.resume?.stepIndex ?? 0; index < input.steps.length; index++) {
    const step = input.steps[index];
    let outcome = outcomes[index];
    if (!outcome) {
      outcome = { ...emptyOutcome(step), startedAt: nowIso() };
      outcomes.push(outcome);
    }
    do {
      setCurrentDetails(passDetails(input, outcomes, index));
      let counts;
      try {
        counts = await ss12000SyncPage.executeWithOptions(
          {
            ...pageOptions,
            summary: `${step} page ${outcome.pages + 1}`,
          },
          [
            {
              huvudman: input.huvudman,
              apiBaseUrl: input.apiBaseUrl,
              step,
              since: input.since[step],
              pageToken,
              limit: input.pageLimit,
              keptTypes: input.keptTypes,
            },
          ],
        );
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        return await failPass(input, outcomes, index, err);
      }
      outcome.pages++;
      outcome.fetched += counts.fetched;
      outcome.stored += counts.stored;
      outcome.invalid += counts.invalid;
      outcome.deleted += counts.deleted;
      pageToken = counts.nextPageToken;
      if (pageToken && workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof ss12000SyncPassWorkflow>({
          ...input,
          resume: { outcomes, stepIndex: index, pageToken },
        });
      }
    } while (pageToken);
    outcome.finishedAt = nowIso();
  }
  const result: Ss12000SyncPassResult = {
    huvudman: input.huvudman,
    passNumber: input.passNumber,
    kind: input.kind,
    outcome: 'SUCCEEDED',
    steps: outcomes,
  };
  setCurrentDetails(passDetails(input, outcomes, input.steps.length));
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'SUCCEEDED' }]);
  return result;
}

async function failPass(
  input: Ss12000SyncPassInput,
  outcomes: StepOutcome[],
  index: number,
  err: ActivityFailure,
): Promise<never> {
  const failed = outcomes[index];
  failed.status = 'FAILED';
  failed.finishedAt = nowIso();
  failed.error = errorInWords(err);
  for (const step of input.steps.slice(index + 1)) outcomes.push({ ...emptyOutcome(step), status: 'SKIPPED' });
  const reports = outcomes
    .filter((o) => o.status !== 'SUCCEEDED')
    .map((o) => ({
      step: o.step,
      message:
        o.status === 'FAILED'
          ? `Ferje could not fetch ${o.step} (page ${o.pages + 1}): ${failed.error?.message ?? 'unknown error'}. The sync stopped; it will be retried.`
          : `Ferje did not fetch ${o.step} because fetching ${failed.step} failed. It will be retried.`,
    }));
  await ss12000ReportPassFailure.executeWithOptions(
    {
      startToCloseTimeout: '2 minutes',
      retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
      summary: 'report failed types to the huvudman',
    },
    [{ apiBaseUrl: input.apiBaseUrl, failed: reports }],
  );
  const result: Ss12000SyncPassResult = {
    huvudman: input.huvudman,
    passNumber: input.passNumber,
    kind: input.kind,
    outcome: 'FAILED',
    steps: outcomes,
  };
  setCurrentDetails(passDetails(input, outcomes, index));
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'FAILED' }]);
  throw ApplicationFailure.create({
    type: ss12000FailureTypes.syncPassFailed,
    message: `Sync pass ${input.passNumber} stopped at ${failed.step}: ${failed.error?.message ?? 'unknown error'}`,
    nonRetryable: true,
    details: [result],
  });
}
