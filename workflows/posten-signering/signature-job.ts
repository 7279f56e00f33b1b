import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { searchAttributes } from '../../src/contract/search-attributes';
import { commonFailureTypes } from '../../src/contract/failure-types';
import {
  isTerminalJobStatus,
  postenCancelJobSignal,
  postenCancelJobUpdate,
  postenFailureTypes,
  postenJobProgressQuery,
  postenResolveUncertainCreateUpdate,
  postenStatusChangeSignal,
  validateActionMessage,
  validateCancelMessage,
  validateSignatureJobInput,
  validateStatusChangeMessage,
  type CancelJobOutcome,
  type PostenSignatureJobInput,
  type PostenSignatureJobResult,
  type PostenSignatureJobStatus,
  type PostenStatusChange,
  statusChangeKey,
} from '../../src/contract/posten-signering';
import {
  continueAsNewAfterHandlers,
  createOperatorView,
  failureCause,
  guardedWorkflow,
  liftFailure,
  shouldContinueAsNew,
  validateMessage,
  type OperatorView,
} from '../common';
import { cancelJob, confirmChange, createJob, downloadDocument } from './activities';
import { signatureJobDetails } from './details';
import {
  adoptJob,
  adoptsUncertainCreate,
  applyChange,
  CANCEL_DRAIN_MS,
  cancelDecision,
  carriedState,
  duplicateToCancel,
  isDuplicateJob,
  isRedelivery,
  jobFinished,
  needsCancel,
  operatorStatus,
  progressOf,
  recordCancel,
  recordCreated,
  recordCreateUncertain,
  recordDownload,
  recordDuplicate,
  rememberChange,
  resultOf,
  settleChange,
  startJobState,
  type PostenJob,
  type SignatureJobState,
} from './signature-job-state';

/**
 * One Posten signering portal job, from creation to its final status: creates it, then reacts to the status changes
 * the poller routes here. For each change it records signer statuses, stores what became available (each signer's
 * XAdES; the PAdES at the end) and only then confirms it. Redelivered changes are recognised by their content and
 * confirmed again without side effects. Posten has no per-job GET, so a create with an unknown outcome is resolved by
 * the first status change that carries this job's reference; a second job for the same reference is cancelled.
 * A document Posten refuses to hand out is recorded in `documentsMissing`; such a job never ends as plain success.
 */
export const postenSignatureJobWorkflow = guardedWorkflow(
  'Posten signature job input',
  validateSignatureJobInput,
  signatureJob,
);

/** What the steps of one run share: the job, its state and the operator's view. */
interface JobRun {
  job: PostenJob;
  state: SignatureJobState;
  view: OperatorView<PostenSignatureJobStatus>;
}

async function signatureJob(input: PostenSignatureJobInput): Promise<PostenSignatureJobResult> {
  const { resume, ...job } = input;
  const state = startJobState(job, resume, Date.now());
  // Runs recorded before the shared operator view upserted FerjeStatus on every render; replay needs the same.
  const upsertUnchanged = !patched('posten-operator-view-upserts-on-change');
  const run: JobRun = {
    job,
    state,
    view: createOperatorView<PostenSignatureJobStatus>(() => signatureJobDetails(state), undefined, {
      upsertUnchanged,
    }),
  };

  setHandler(postenStatusChangeSignal, (arg) => {
    if (ignoredBadSignal(state, validateStatusChangeMessage, arg)) return;
    state.queue.push(arg.change);
  });
  setHandler(postenCancelJobSignal, (arg) => {
    if (!ignoredBadSignal(state, validateCancelMessage, arg)) state.s.cancelRequested = true;
  });
  setHandler(
    postenCancelJobUpdate,
    async (): Promise<CancelJobOutcome> => {
      state.s.cancelRequested = true;
      await condition(() => state.cancelOutcome !== undefined);
      if (state.cancelOutcome === 'ALREADY_FINISHED') {
        throw ApplicationFailure.create({
          message: 'the job had already ended at Posten and cannot be cancelled',
          type: postenFailureTypes.jobAlreadyFinished,
          nonRetryable: true,
        });
      }
      return { outcome: state.cancelOutcome === 'NOT_CREATED' ? 'NOT_CREATED' : 'CANCELLATION_REQUESTED' };
    },
    { validator: (arg) => throwIf(validateMessage('cancel request', validateCancelMessage, arg)) },
  );
  setHandler(
    postenResolveUncertainCreateUpdate,
    (update) => {
      state.resolveAction = update.action;
      return { accepted: true as const };
    },
    {
      validator: (arg) => {
        throwIf(validateMessage('decision', validateActionMessage(['RETRY_CREATE', 'ABANDON']), arg));
        if (!state.s.createUncertain) {
          throw ApplicationFailure.create({
            message: 'the job is not waiting for a decision about its creation',
            type: commonFailureTypes.invalidInput,
            nonRetryable: true,
          });
        }
      },
    },
  );
  setHandler(postenJobProgressQuery, () => progressOf(state));

  try {
    if (!resume && state.s.cancelRequested) {
      state.cancelOutcome = 'NOT_CREATED';
      state.s.cancelAttempted = true;
      show(run, 'FINISHED');
      await condition(allHandlersFinished);
      return resultOf(state, flagMissing(state));
    }
    if (!resume) await create(run);
    else {
      // A run continued from one that may predate the attribute: make sure the router can find this job by its id.
      publishJobId(run);
      show(run, state.phase);
    }
    if (!(await followJob(run, state.s.deadlineAt))) {
      throw ApplicationFailure.create({
        message: state.s.createUncertain
          ? 'no status change ever named this job after a create with an unknown outcome'
          : 'the availability period passed without a final status from Posten',
        type: state.s.createUncertain ? postenFailureTypes.createOutcomeUnknown : postenFailureTypes.noFinalStatus,
        nonRetryable: true,
        details: [resultOf(state, flagMissing(state))],
      });
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled through Temporal: cancel at Posten too, and keep what arrives until the final change is confirmed.
    await CancellationScope.nonCancellable(async () => {
      state.s.cancelRequested = true;
      if (!state.s.cancelAttempted) await cancel(run);
      // Nothing to follow when no job is known (cancelled before or during its creation).
      if (state.s.signatureJobId) await followJob(run, Date.now() + CANCEL_DRAIN_MS);
      show(run, 'FINISHED');
    });
    throw err;
  }
  if (state.s.cancelRequested && state.cancelOutcome === undefined) state.cancelOutcome = 'ALREADY_FINISHED';
  show(run, 'FINISHED');
  await condition(allHandlersFinished);
  return resultOf(state, flagMissing(state));
}

/** Processes changes until the job's final change is stored and confirmed (false: `until` passed first). */
async function followJob(run: JobRun, until: number): Promise<boolean> {
  const { state } = run;
  for (;;) {
    if (jobFinished(state)) return true;
    const woke = await condition(
      () => state.queue.length > 0 || needsCancel(state) || state.resolveAction !== undefined,
      Math.max(1, until - Date.now()),
      { summary: 'waiting for status changes (deadline: availability + grace)' },
    );
    if (!woke) return false;
    if (state.resolveAction === 'ABANDON') {
      throw ApplicationFailure.create({
        message: 'an operator abandoned the job after a create whose outcome stayed unknown',
        type: postenFailureTypes.createOutcomeUnknown,
        nonRetryable: true,
      });
    }
    if (state.resolveAction === 'RETRY_CREATE') {
      state.resolveAction = undefined;
      if (state.s.createUncertain && !state.s.signatureJobId) {
        state.s.createUncertain = false;
        await create(run);
      }
    }
    if (needsCancel(state)) await cancel(run);
    if (patched('posten-store-newer-changes-before-confirming')) await processArrivedChanges(run);
    else while (state.queue.length > 0) await processChange(run, state.queue.shift()!);
    if (!isTerminalJobStatus(state.s.jobStatus) && shouldContinueAsNew()) {
      await continueAsNewAfterHandlers<typeof signatureJob>({ ...run.job, resume: carriedState(state) });
    }
  }
}

function show(run: JobRun, phase: SignatureJobState['phase']): void {
  run.state.phase = phase;
  run.view.show(operatorStatus(run.state, flagMissing(run.state)));
}

/** Whether a completed job without all its documents says so (runs recorded before this outcome existed do not). */
function flagMissing(state: SignatureJobState): boolean {
  return (state.s.documentsMissing?.length ?? 0) > 0 && patched('posten-documents-missing-outcome');
}

async function create(run: JobRun): Promise<void> {
  show(run, 'CREATING');
  try {
    recordCreated(run.state, await createJob({ job: run.job }));
    publishJobId(run);
    show(run, 'AWAITING_SIGNATURES');
  } catch (err) {
    // A refusal a retry cannot fix (invalid job, schema error, not authorised) ends the job; the cause stays attached.
    if (failureCause(err)?.nonRetryable) throw liftFailure(err, commonFailureTypes.rejectedByPartner);
    if (!(err instanceof ActivityFailure)) throw err;
    // Every attempt failed, but some may have reached Posten: the job may exist. Wait for it to speak up.
    recordCreateUncertain(run.state);
    show(run, 'CREATE_UNCERTAIN');
  }
}

async function cancel(run: JobRun): Promise<void> {
  const { state } = run;
  const decision = cancelDecision(state);
  if (decision !== 'CANCEL') {
    state.cancelOutcome = decision;
    return;
  }
  show(run, 'CANCELLING');
  recordCancel(state, (await cancelJob(run.job.sender, state.s.cancellationUrl!, 'cancel job at Posten')).outcome);
  show(run, 'AWAITING_SIGNATURES');
}

/**
 * Records Posten's job id in the `PostenSignatureJobId` search attribute (a number Posten assigns, not personal data),
 * so that the router finds this workflow for a status change that carries no `reference`.
 */
function publishJobId(run: JobRun): void {
  const id = run.state.s.signatureJobId;
  if (!id || !patched('posten-job-id-search-attribute')) return;
  upsertSearchAttributes([{ key: searchAttributes.postenSignatureJobId, value: id }]);
}

/** How long an IN_PROGRESS change waits, stored, for a newer change of the job before it is confirmed. */
const CONFIRM_SETTLE_MS = 1000;

/** One change as processed and stored, waiting for its confirmation (`fresh`: remembered once confirmed). */
interface StoredChange {
  change: PostenStatusChange;
  fresh: boolean;
}

/**
 * Processes every change that has arrived (and any that arrives meanwhile), storing what each offers, and only then
 * confirms them, oldest first. Posten's confirmation URL names the job, not the change, so confirming an older change
 * may also acknowledge a newer one already fetched (UNVERIFIED; the simulator's `all-fetched` scope), and a final
 * change acknowledged that way finalises the job and its documents are gone. Hence: no change of this job is confirmed
 * while a newer one that has reached the workflow still has documents to store. One confirmation per change received,
 * so a Posten that acknowledges one change per confirmation (`oldest`) is served as well.
 */
async function processArrivedChanges(run: JobRun): Promise<void> {
  const { state, job } = run;
  const stored: StoredChange[] = [];
  for (;;) {
    while (state.queue.length > 0) {
      const change = state.queue.shift()!;
      // The same change twice before it was confirmed (a redelivery): stored once, confirmed for each delivery.
      if (stored.some((s) => s.fresh && statusChangeKey(s.change) === statusChangeKey(change))) {
        state.s.changesProcessed++;
        state.s.redeliveriesRecognised++;
        stored.push({ change, fresh: false });
        continue;
      }
      const kept = await storeChange(run, change);
      if (kept) stored.push(kept);
    }
    // Nothing follows a final change, so confirming once it is stored is safe. Before confirming only IN_PROGRESS
    // changes, give a newer change the poller has just fetched a moment to arrive (its hand-over takes milliseconds).
    if (stored.length === 0 || stored.some((s) => isTerminalJobStatus(s.change.status))) break;
    const more = await condition(() => state.queue.length > 0, CONFIRM_SETTLE_MS, {
      summary: 'a moment for newer changes before confirming',
    });
    if (!more) break;
  }
  for (const { change, fresh } of stored) {
    await confirmChange(job.sender, change);
    if (fresh) rememberChange(state, change);
  }
}

async function processChange(run: JobRun, change: PostenStatusChange): Promise<void> {
  const kept = await storeChange(run, change);
  if (!kept) return;
  await confirmChange(run.job.sender, change);
  if (kept.fresh) rememberChange(run.state, change);
}

/** Applies a change and stores what it offers; returns it for confirmation (a duplicate job's change is done here). */
async function storeChange(run: JobRun, change: PostenStatusChange): Promise<StoredChange | undefined> {
  const { state, job } = run;
  state.s.changesProcessed++;
  if (adoptsUncertainCreate(state, job, change)) {
    // The create we could not confirm did happen: this is our job.
    adoptJob(state, change);
    publishJobId(run);
    // Runs started before this marker kept showing CREATE_UNCERTAIN (and its "may not have reached Posten" text)
    // after the job was found; the operator's view must say the job exists now.
    if (patched('posten-adopted-job-leaves-create-uncertain')) state.phase = 'AWAITING_SIGNATURES';
  }
  if (isDuplicateJob(state, change)) {
    await handleDuplicate(run, change);
    return undefined;
  }
  if (isRedelivery(state, change)) {
    state.s.redeliveriesRecognised++;
    return { change, fresh: false };
  }
  const { downloads, unmatched, unknownStatuses } = applyChange(state, job, change);
  if (unmatched > 0) log.warn('status change names a signer that is not in the job', { unmatched });
  for (const u of unknownStatuses) log.warn('unknown signer status from posten (kept as reported)', u);
  await Promise.all(
    downloads.map(async ({ url, document }) => {
      const summary =
        document.document === 'PADES'
          ? `download PAdES of job ${change.signatureJobId}`
          : `download XAdES of signer #${document.signerIndex + 1}`;
      recordDownload(
        state,
        document,
        await downloadDocument(job.sender, change.signatureJobId, url, document, summary),
      );
    }),
  );
  settleChange(state, change);
  show(run, state.phase);
  // Confirmed also when a document is missing: what could be stored is durable, and so is the record of the gap.
  return { change, fresh: true };
}

async function handleDuplicate(run: JobRun, change: PostenStatusChange): Promise<void> {
  const { state, job } = run;
  const outcome = duplicateToCancel(state, change)
    ? (await cancelJob(job.sender, change.cancellationUrl!, `cancel duplicate job ${change.signatureJobId}`)).outcome
    : undefined;
  const known = state.s.duplicateJobs.length;
  const { dup, fetchPades } = recordDuplicate(state, change, outcome);
  if (state.s.duplicateJobs.length > known) {
    log.warn('posten created a second job for this reference; cancelled it', { signatureJobId: dup.signatureJobId });
  }
  // Whatever was signed on the duplicate is kept, not lost with the job.
  if (fetchPades) {
    dup.pades = await downloadDocument(
      job.sender,
      change.signatureJobId,
      change.padesUrl!,
      { document: 'PADES' },
      `download PAdES of job ${change.signatureJobId}`,
    );
  }
  await confirmChange(job.sender, change);
}

/** A signal with a malformed argument is ignored and counted: throwing from a handler would fail the task forever. */
function ignoredBadSignal<T>(state: SignatureJobState, validate: (arg: unknown) => unknown[], arg: T): boolean {
  if (validate(arg).length === 0) return false;
  state.ignoredSignals++;
  log.warn('ignored a signal with a malformed argument', { ignoredSignals: state.ignoredSignals });
  return true;
}

function throwIf(failure: ApplicationFailure | undefined): void {
  if (failure) throw failure;
}
