import { allHandlersFinished, ApplicationFailure, condition, log, patched, setHandler } from '@temporalio/workflow';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { workflowMetrics } from '../../src/metrics/workflow-metrics';
import { commonFailureTypes } from '../../src/contract/failure-types';
import {
  postenReleaseUnownedUpdate,
  postenStatusChangeSignal,
  postenUnownedStateQuery,
  validateActionMessage,
  validateStatusChangeMessage,
  validateUnownedJobInput,
  type PostenStatusChange,
  type PostenUnownedJobStatus,
  type UnownedJobInput,
  type UnownedJobResult,
} from '../../src/contract/posten-signering';
import {
  continueAsNewAfterHandlers,
  createOperatorView,
  guardedWorkflow,
  shouldContinueAsNew,
  validateMessage,
  type OperatorView,
} from '../common';
import { cancelJob, confirmChange, downloadDocument } from './activities';
import { unownedJobDetails } from './details';
import {
  carriedUnownedState,
  decisionPending,
  downloadsFor,
  isDone,
  isHeld,
  mayCancel,
  receiveChange,
  recordUnownedDownload,
  startUnownedRun,
  unownedResultOf,
  unownedStateOf,
  unownedStatus,
  type UnownedJobRun,
} from './unowned-job-state';

/**
 * Status changes of a Posten job that no running Ferje job workflow owns (created outside Ferje, its workflow gone,
 * or a duplicate from a retried create). Nothing is lost and nothing is confirmed blindly:
 * - a late redelivery of a job whose Ferje workflow completed with this very job: confirmed (the owner stored all);
 * - a second job for the reference of a completed Ferje job: cancelled if still running, its documents stored, confirmed;
 * - otherwise, with policy ADOPT: every XAdES/PAdES stored, then confirmed, until the job ends;
 * - with policy HOLD (default): stored, but held unconfirmed (Posten keeps the job and redelivers every 10 minutes,
 *   which this workflow absorbs) until an operator confirms with `postenReleaseUnowned`.
 * Documents Posten refuses to hand out are listed in the result's `documentsMissing`.
 */
export const postenUnownedJobWorkflow = guardedWorkflow(
  'Posten unowned job input',
  validateUnownedJobInput,
  unownedJob,
);

interface Unowned {
  input: UnownedJobInput;
  run: UnownedJobRun;
  view: OperatorView<PostenUnownedJobStatus>;
}

async function unownedJob(input: UnownedJobInput): Promise<UnownedJobResult> {
  const run = startUnownedRun(input);
  // Runs recorded before the shared operator view upserted FerjeStatus on every render; replay needs the same.
  const upsertUnchanged = !patched('posten-operator-view-upserts-on-change');
  const view = createOperatorView<PostenUnownedJobStatus>(
    () => unownedJobDetails(run, input.signatureJobId),
    undefined,
    {
      upsertUnchanged,
    },
  );
  const u: Unowned = { input, run, view };

  setHandler(postenStatusChangeSignal, (arg) => {
    if (validateStatusChangeMessage(arg).length > 0) {
      run.ignoredSignals++;
      log.warn('ignored a signal with a malformed argument', { ignoredSignals: run.ignoredSignals });
      return;
    }
    run.queue.push(arg.change);
  });
  setHandler(postenUnownedStateQuery, () => unownedStateOf(run, input.signatureJobId));
  setHandler(
    postenReleaseUnownedUpdate,
    async (update) => {
      run.decision = update.action;
      await condition(() => run.decisionApplied);
      return { confirmed: run.s.released };
    },
    {
      validator: (arg) => {
        const invalid = validateMessage('decision', validateActionMessage(['CONFIRM', 'CANCEL_AND_CONFIRM']), arg);
        if (invalid) throw invalid;
        if (!isHeld(run)) {
          throw ApplicationFailure.create({
            message: 'this job is not held for a decision',
            type: commonFailureTypes.invalidInput,
            nonRetryable: true,
          });
        }
      },
    },
  );

  show(u);
  for (;;) {
    await condition(() => run.queue.length > 0 || (run.decision !== undefined && !run.decisionApplied));
    if (patched('posten-store-newer-changes-before-confirming')) await takeArrivedChanges(u);
    else while (run.queue.length > 0) await takeChange(u, run.queue.shift()!);
    if (decisionPending(run)) {
      if (run.decision === 'CANCEL_AND_CONFIRM') await cancel(u, run.s.latest!);
      await confirm(u, run.s.latest!);
      run.s.released = true;
      run.decisionApplied = true;
      show(u);
    }
    if (isDone(run)) break;
    if (shouldContinueAsNew()) {
      await continueAsNewAfterHandlers<typeof unownedJob>({ ...input, resume: carriedUnownedState(run) });
    }
  }
  await condition(allHandlersFinished);
  return unownedResultOf(run, input.signatureJobId);
}

function show(u: Unowned): void {
  u.view.show(unownedStatus(u.run));
}

/**
 * Stores what every arrived change offers before confirming any of them, one confirmation per change, oldest first:
 * Posten's confirmation URL names the job, so confirming an older change may also acknowledge a newer, final one
 * (see the signature-job workflow and docs/posten-signering.md).
 */
async function takeArrivedChanges(u: Unowned): Promise<void> {
  const { run } = u;
  const toConfirm: PostenStatusChange[] = [];
  while (run.queue.length > 0) {
    const change = run.queue.shift()!;
    if (await storeArrived(u, change)) toConfirm.push(change);
    else show(u);
  }
  for (const change of toConfirm) {
    run.s.released = true;
    await confirm(u, change);
  }
  if (toConfirm.length > 0) show(u);
}

async function takeChange(u: Unowned, change: PostenStatusChange): Promise<void> {
  if (await storeArrived(u, change)) {
    u.run.s.released = true;
    await confirm(u, change);
  }
  show(u);
}

/** Takes in a change, stores what it offers and cancels if asked; returns whether it is to be confirmed. */
async function storeArrived(u: Unowned, change: PostenStatusChange): Promise<boolean> {
  const { run, input } = u;
  const todo = receiveChange(run, change);
  if (isHeld(run)) workflowMetrics.count(ferjeMetrics.postenChangesHeld);
  if (todo.store) {
    await Promise.all(
      downloadsFor(run, change).map(async ({ url, document }) => {
        const summary =
          document.document === 'PADES' ? 'download PAdES' : `download XAdES #${document.signerIndex + 1}`;
        const ref = await downloadDocument(input.sender, change.signatureJobId, url, document, summary);
        recordUnownedDownload(run, document, ref);
      }),
    );
  }
  if (todo.cancel) await cancel(u, change);
  return todo.confirm;
}

async function cancel(u: Unowned, change: PostenStatusChange): Promise<void> {
  if (!mayCancel(u.run, change)) return;
  await cancelJob(u.input.sender, change.cancellationUrl!, `cancel job ${change.signatureJobId}`);
  u.run.s.cancelled = true;
}

async function confirm(u: Unowned, change: PostenStatusChange): Promise<void> {
  if (await confirmChange(u.input.sender, change)) u.run.s.confirmed++;
}
