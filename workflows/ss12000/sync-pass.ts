import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import {
  ss12000FailureTypes,
  validateSs12000SyncPassInput,
  type Ss12000SyncPassInput,
  type Ss12000SyncPassResult,
  type Ss12000SyncPassWorkflowStatus,
  type StepOutcome,
} from '../../src/contract/ss12000';
import {
  continueAsNewAfterHandlers,
  createOperatorView,
  describeFailure,
  guardedWorkflow,
  shouldContinueAsNew,
  type OperatorView,
} from '../common';
import { pages, partner } from './activities';
import { passDetails } from './details';
import { addPage, beginStep, passFailed, passResult } from './sync-pass-state';

const nowIso = (): string => new Date(Date.now()).toISOString();

/**
 * One sync pass: the steps strictly in order (ORGANISATION, PERSON, GROUP, DUTY, ACTIVITY, then DELETED), every
 * page one activity. The page token lives in this workflow's state, so a crashed worker resumes at the page where
 * it stopped; a GET that fails three times fails the pass, and each failed or unfetched type is logged to the
 * huvudman before the pass fails with `Ss12000SyncPassFailed` (details: the per-step outcomes).
 */
export const ss12000SyncPassWorkflow = guardedWorkflow(
  'SS12000 sync pass input',
  validateSs12000SyncPassInput,
  syncPass,
);

async function syncPass(input: Ss12000SyncPassInput): Promise<Ss12000SyncPassResult> {
  const outcomes: StepOutcome[] = input.resume?.outcomes ?? [];
  let pageToken = input.resume?.pageToken;
  let index = input.resume?.stepIndex ?? 0;
  const view = createOperatorView<Ss12000SyncPassWorkflowStatus>(() => passDetails(input, outcomes, index));
  view.show('SYNCING');
  for (; index < input.steps.length; index++) {
    const step = input.steps[index];
    const outcome = beginStep(outcomes, index, step, nowIso());
    do {
      view.show();
      let counts: Awaited<ReturnType<typeof pages.ss12000SyncPage>>;
      try {
        counts = await pages.ss12000SyncPage.executeWithOptions({ summary: `${step} page ${outcome.pages + 1}` }, [
          {
            huvudman: input.huvudman,
            apiBaseUrl: input.apiBaseUrl,
            step,
            since: input.since[step],
            pageToken,
            limit: input.pageLimit,
            keptTypes: input.keptTypes,
          },
        ]);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        return await failPass(input, outcomes, index, err, view);
      }
      pageToken = addPage(outcome, counts);
      if (pageToken && shouldContinueAsNew()) {
        await continueAsNewAfterHandlers<typeof ss12000SyncPassWorkflow>({
          ...input,
          resume: { outcomes, stepIndex: index, pageToken },
        });
      }
    } while (pageToken);
    outcome.finishedAt = nowIso();
  }
  view.show('SUCCEEDED');
  return passResult(input, outcomes, 'SUCCEEDED');
}

async function failPass(
  input: Ss12000SyncPassInput,
  outcomes: StepOutcome[],
  index: number,
  err: ActivityFailure,
  view: OperatorView<Ss12000SyncPassWorkflowStatus>,
): Promise<never> {
  const { failed, reports, result } = passFailed(input, outcomes, index, describeFailure(err), nowIso());
  try {
    await partner.ss12000ReportPassFailure.executeWithOptions({ summary: 'report failed types to the huvudman' }, [
      { huvudman: input.huvudman, apiBaseUrl: input.apiBaseUrl, failed: reports },
    ]);
  } catch (reportErr) {
    // The pass failed either way; an unreported failure must not hide which step failed.
    if (isCancellation(reportErr)) throw reportErr;
  }
  view.show('FAILED');
  throw ApplicationFailure.create({
    type: ss12000FailureTypes.syncPassFailed,
    message: `Sync pass ${input.passNumber} stopped at ${failed.step}: ${failed.error?.message ?? 'unknown error'}`,
    nonRetryable: true,
    details: [result],
    cause: err,
  });
}
