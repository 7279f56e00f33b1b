import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { commonFailureTypes } from '../../src/contract/failure-types';
import {
  postenCancelJobSignal,
  postenCancelJobUpdate,
  postenJobProgressQuery,
  postenResolveUncertainCreateUpdate,
  postenStatusChangeSignal,
  type CancelJobOutcome,
  type SignatureJobPhase,
  isTerminalJobStatus,
  statusChangeKey,
  type PostenSignatureJobInput,
  type PostenSignatureJobResult,
  type PostenStatusChange,
  type SignatureJobResumeState,
  postenFailureTypes,
  orderGroups,
  postenLimits,
  validatePostenJob,
} from '../../src/contract/posten-signering';
import { searchAttributes } from '../../src/contract/search-attributes';
import { confirmActs, confirmOptions, createActs, createOptions, ioActs, ioOptions } from './activities';
import { initialSignerProgress, isKnownSignerStatus, matchSigner, signerTable } from './signers';

const SEEN_KEYS_KEPT = 200;
const GRACE_MS = 7 * 24 * 3600_000;
const CANCEL_DRAIN_MS = 30 * 60_000;

/**
 * One Posten signering portal job, from creation to its final status: creates it, then reacts to the status changes
 * the poller routes here. For each change it records signer statuses, stores what became available (each signer's
 * XAdES; the PAdES at the end) and only then confirms it. Redelivered changes are recognised by their content and
 * confirmed again without side effects. Posten has no per-job GET, so a create with an unknown outcome is resolved by
 * the first status change that carries this job's reference; a second job for the same reference is cancelled.
 */
export async function postenSignatureJobWorkflow(input: PostenSignatureJobInput): Promise<PostenSignatureJobResult> {
  const { resume, ...job } = input;
  if (!resume) {
    const problems = validatePostenJob(job);
    if (problems.length > 0) {
      throw ApplicationFailure.create({
        message: `invalid signature job: ${problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`,
        type: commonFailureTypes.invalidInput,
        nonRetryable: true,
        details: [problems],
      });
    }
  }
  const s: SignatureJobResumeState = resume ?? initialState(job);
  const queue: PostenStatusChange[] = s.pendingChanges;
  s.pendingChanges = [];
  let phase: SignatureJobPhase = s.signatureJobId
    ? 'AWAITING_SIGNATURES'
    : s.createUncertain
      ? 'CREATE_UNCERTAIN'
      : 'VALIDATING';
  let cancelOutcome: 'CANCELLATION_REQUESTED' | 'ALREADY_FINISHED' | 'NOT_CREATED' | undefined;
  let resolveAction: 'RETRY_CREATE' | 'ABANDON' | undefined;

  setHandler(postenStatusChangeSignal, ({ change }) => void queue.push(change));
  setHandler(postenCancelJobSignal, () => void (s.cancelRequested = true));
  setHandler(postenCancelJobUpdate, async (): Promise<CancelJobOutcome> => {
    s.cancelRequested = true;
    await condition(() => cancelOutcome !== undefined);
    if (cancelOutcome === 'ALREADY_FINISHED') {
      throw ApplicationFailure.create({
        message: 'the job had already ended at Posten and cannot be cancelled',
        type: postenFailureTypes.jobAlreadyFinished,
        nonRetryable: true,
      });
    }
    return { outcome: cancelOutcome === 'NOT_CREATED' ? 'NOT_CREATED' : 'CANCELLATION_REQUESTED' };
  });
  setHandler(
    postenResolveUncertainCreateUpdate,
    (update) => {
      resolveAction = update.action;
      return { accepted: true as const };
    },
    {
      validator: (_update: { action: 'RETRY_CREATE' | 'ABANDON' }) => {
        if (!s.createUncertain) throw new Error('the job is not waiting for a decision about its creation');
      },
    },
  );
  setHandler(postenJobProgressQuery, () => ({
    phase,
    signatureJobId: s.signatureJobId,
    jobStatus: s.jobStatus,
    signers: s.signers.map((x) => ({ ...x })),
    pades: s.pades,
    changesProcessed: s.changesProcessed,
    redeliveriesRecognised: s.redeliveriesRecognised,
    duplicateJobIds: s.duplicateJobs.map((d) => d.signatureJobId),
    cancelRequested: s.cancelRequested,
    cancelOutcome,
  }));

  const result = (): PostenSignatureJobResult => ({
    signatureJobId: s.signatureJobId,
    status: s.jobStatus,
    cancelledBySender: s.cancelledBySender,
    signers: s.signers.map((x) => ({ ...x })),
    ...(s.pades ? { pades: s.pades } : {}),
    ...(s.bundle ? { bundle: s.bundle } : {}),
    duplicateJobs: s.duplicateJobs,
  });

  const show = (next: SignatureJobPhase): void => {
    phase = next;
    const status = next === 'CREATE_UNCERTAIN' || next === 'CREATING' || next === 'CANCELLING' ? next : s.jobStatus;
    upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
    setCurrentDetails(
      [
        `**Posten signature job** ${s.signatureJobId ? `\`${s.signatureJobId}\`` : '(not created yet)'} · ${phase} · job status **${s.jobStatus}**`,
        '',
        signerTable(s.signers),
        '',
        `PAdES: ${s.pades ? 'stored' : '—'} · changes processed: ${s.changesProcessed} (redeliveries recognised: ${s.redeliveriesRecognised})` +
          (s.duplicateJobs.length
            ? ` · duplicate jobs: ${s.duplicateJobs.map((d) => `${d.signatureJobId} ${d.outcome}`).join(', ')}`
            : '') +
          (s.cancelRequested ? ' · cancel requested' : ''),
        ...(next === 'CREATE_UNCERTAIN'
          ? [
              '',
              'The create request may or may not have reached Posten. Waiting for a status change with this reference;',
              'an operator can resolve it with the update `postenResolveUncertainCreate` (RETRY_CREATE or ABANDON).',
            ]
          : []),
      ].join('\n'),
    );
  };

  const confirm = async (change: PostenStatusChange): Promise<void> => {
    try {
      await confirmActs.postenConfirm.executeWithOptions(
        { ...confirmOptions, summary: `confirm change of job ${change.signatureJobId}` },
        [{ sender: job.sender, url: change.confirmationUrl }],
      );
    } catch (err) {
      // A 4xx on confirm means Posten no longer knows the change (already finalised): nothing left to protect.
      if (!isPartnerRejection(err)) throw err;
      log.warn('posten refused a confirmation', { signatureJobId: change.signatureJobId });
    }
  };

  const download = async (kind: 'xades' | 'pades', url: string, signatureJobId: string, signerIndex?: number) => {
    try {
      return await ioActs.postenDownload.executeWithOptions(
        {
          ...ioOptions,
          summary:
            kind === 'pades'
              ? `download PAdES of job ${signatureJobId}`
              : `download XAdES of signer #${(signerIndex ?? 0) + 1}`,
        },
        [{ sender: job.sender, url, kind, signatureJobId, ...(signerIndex !== undefined ? { signerIndex } : {}) }],
      );
    } catch (err) {
      if (!isPartnerRejection(err)) throw err;
      log.warn('posten refused a download', { signatureJobId, kind });
      return undefined;
    }
  };

  const create = async (): Promise<void> => {
    show('CREATING');
    try {
      const created = await createActs.postenCreateJob.executeWithOptions(
        { ...createOptions, summary: 'create job at Posten' },
        [{ job }],
      );
      s.signatureJobId = created.signatureJobId;
      s.cancellationUrl = created.cancellationUrl;
      s.bundle = created.bundle;
      s.jobStatus = 'IN_PROGRESS';
      show('AWAITING_SIGNATURES');
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.nonRetryable) {
        throw ApplicationFailure.create({
          message: cause.message,
          type: cause.type ?? commonFailureTypes.rejectedByPartner,
          nonRetryable: true,
          details: cause.details ?? undefined,
        });
      }
      if (!(err instanceof ActivityFailure)) throw err;
      // Every attempt failed, but some may have reached Posten: the job may exist. Wait for it to speak up.
      s.createUncertain = true;
      show('CREATE_UNCERTAIN');
    }
  };

  const cancelAtPosten = async (): Promise<void> => {
    s.cancelAttempted = true;
    if (!s.signatureJobId || !s.cancellationUrl) {
      cancelOutcome = 'NOT_CREATED';
      return;
    }
    if (isTerminalJobStatus(s.jobStatus)) {
      cancelOutcome = 'ALREADY_FINISHED';
      return;
    }
    show('CANCELLING');
    const r = await ioActs.postenCancel.executeWithOptions({ ...ioOptions, summary: 'cancel job at Posten' }, [
      { sender: job.sender, url: s.cancellationUrl },
    ]);
    cancelOutcome = r.outcome === 'CANCELLED' ? 'CANCELLATION_REQUESTED' : 'ALREADY_FINISHED';
    if (r.outcome === 'CANCELLED') s.cancelledBySender = true;
    show('AWAITING_SIGNATURES');
  };

  const handleDuplicate = async (change: PostenStatusChange): Promise<void> => {
    let dup = s.duplicateJobs.find((d) => d.signatureJobId === change.signatureJobId);
    if (!dup) {
      let outcome: 'CANCELLED' | 'ALREADY_FINISHED' = 'ALREADY_FINISHED';
      if (change.status === 'IN_PROGRESS' && change.cancellationUrl) {
        const r = await ioActs.postenCancel.executeWithOptions(
          { ...ioOptions, summary: `cancel duplicate job ${change.signatureJobId}` },
          [{ sender: job.sender, url: change.cancellationUrl }],
        );
        outcome = r.outcome;
      }
      dup = { signatureJobId: change.signatureJobId, outcome, status: change.status };
      s.duplicateJobs.push(dup);
      log.warn('posten created a second job for this reference; cancelled it', {
        signatureJobId: change.signatureJobId,
      });
    }
    dup.status = change.status;
    // Whatever was signed on the duplicate is kept, not lost with the job.
    if (isTerminalJobStatus(change.status) && change.padesUrl && !dup.pades) {
      dup.pades = await download('pades', change.padesUrl, change.signatureJobId);
    }
    await confirm(change);
  };

  const processChange = async (change: PostenStatusChange): Promise<void> => {
    s.changesProcessed++;
    if (!s.signatureJobId && s.createUncertain && change.reference === job.reference) {
      // The create we could not confirm did happen: this is our job.
      s.signatureJobId = change.signatureJobId;
      s.cancellationUrl = change.cancellationUrl;
      s.createUncertain = false;
      s.jobStatus = 'IN_PROGRESS';
      // Runs started before this marker kept showing CREATE_UNCERTAIN (and its "may not have reached Posten" text)
      // after the job was found; the operator's view must say the job exists now.
      if (patched('posten-adopted-job-leaves-create-uncertain')) phase = 'AWAITING_SIGNATURES';
    }
    if (change.signatureJobId !== s.signatureJobId) return handleDuplicate(change);
    const key = statusChangeKey(change);
    if (s.seenChangeKeys.includes(key)) {
      s.redeliveriesRecognised++;
      await confirm(change);
      return;
    }
    const downloads: Promise<void>[] = [];
    for (const signature of change.signatures) {
      const index = matchSigner(job.signers, signature);
      if (index === undefined) {
        log.warn('status change names a signer that is not in the job', { signatureJobId: change.signatureJobId });
        continue;
      }
      if (!isKnownSignerStatus(signature.status)) {
        log.warn('unknown signer status from posten (kept as reported)', {
          signerIndex: index,
          status: signature.status,
        });
      }
      const signer = s.signers[index];
      signer.status = signature.status;
      signer.since = signature.since;
      if (signature.xadesUrl && !signer.xades) {
        const url = signature.xadesUrl;
        downloads.push(
          download('xades', url, change.signatureJobId, index).then((ref) => {
            if (ref) signer.xades = ref;
          }),
        );
      }
    }
    if (isTerminalJobStatus(change.status) && change.padesUrl && !s.pades) {
      const url = change.padesUrl;
      downloads.push(
        download('pades', url, change.signatureJobId).then((ref) => {
          if (ref) s.pades = ref;
        }),
      );
    }
    await Promise.all(downloads);
    if (change.cancellationUrl) s.cancellationUrl = change.cancellationUrl;
    s.jobStatus = change.status;
    show(phase);
    await confirm(change);
    s.seenChangeKeys.push(key);
    if (s.seenChangeKeys.length > SEEN_KEYS_KEPT) s.seenChangeKeys.shift();
  };

  /** Processes changes until the job's final change is stored and confirmed (or `until` passes). */
  const followJob = async (until: number): Promise<boolean> => {
    for (;;) {
      if (isTerminalJobStatus(s.jobStatus) && queue.length === 0) return true;
      const needsCancel = (): boolean =>
        s.cancelRequested && !s.cancelAttempted && (s.signatureJobId !== undefined || !s.createUncertain);
      const woke = await condition(
        () => queue.length > 0 || needsCancel() || resolveAction !== undefined,
        Math.max(1, until - Date.now()),
        { summary: 'waiting for status changes (deadline: availability + grace)' },
      );
      if (!woke) return false;
      if (resolveAction === 'ABANDON') {
        throw ApplicationFailure.create({
          message: 'an operator abandoned the job after a create whose outcome stayed unknown',
          type: postenFailureTypes.createOutcomeUnknown,
          nonRetryable: true,
        });
      }
      if (resolveAction === 'RETRY_CREATE') {
        resolveAction = undefined;
        if (s.createUncertain && !s.signatureJobId) {
          s.createUncertain = false;
          await create();
        }
      }
      if (needsCancel()) await cancelAtPosten();
      while (queue.length > 0) await processChange(queue.shift()!);
      if (!isTerminalJobStatus(s.jobStatus) && workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof postenSignatureJobWorkflow>({
          ...job,
          resume: { ...s, pendingChanges: [...queue] },
        });
      }
    }
  };

  try {
    if (!resume && s.cancelRequested) {
      cancelOutcome = 'NOT_CREATED';
      s.cancelAttempted = true;
      show('FINISHED');
      await condition(allHandlersFinished);
      return result();
    }
    if (!resume) await create();
    else show(phase);
    if (!(await followJob(s.deadlineAt))) {
      throw ApplicationFailure.create({
        message: s.createUncertain
          ? 'no status change ever named this job after a create with an unknown outcome'
          : 'the availability period passed without a final status from Posten',
        type: s.createUncertain ? postenFailureTypes.createOutcomeUnknown : postenFailureTypes.noFinalStatus,
        nonRetryable: true,
        details: [result()],
      });
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled through Temporal: cancel at Posten too, and keep what arrives until the final change is confirmed.
    await CancellationScope.nonCancellable(async () => {
      s.cancelRequested = true;
      if (!s.cancelAttempted) await cancelAtPosten();
      // Nothing to follow when no job is known (cancelled before or during its creation).
      if (s.signatureJobId) await followJob(Date.now() + CANCEL_DRAIN_MS);
      show('FINISHED');
    });
    throw err;
  }
  if (s.cancelRequested && cancelOutcome === undefined) cancelOutcome = 'ALREADY_FINISHED';
  show('FINISHED');
  await condition(allHandlersFinished);
  return result();
}

function initialState(job: PostenSignatureJobInput): SignatureJobResumeState {
  const start = Date.now();
  const activation = job.availability?.activationTime ? Date.parse(job.availability.activationTime) : start;
  const perGroup = (job.availability?.availableSeconds ?? postenLimits.availableSecondsDefault) * 1000;
  return {
    createUncertain: false,
    jobStatus: 'NOT_CREATED',
    signers: initialSignerProgress(job.signers),
    seenChangeKeys: [],
    duplicateJobs: [],
    cancelRequested: false,
    cancelAttempted: false,
    cancelledBySender: false,
    changesProcessed: 0,
    redeliveriesRecognised: 0,
    deadlineAt: Math.max(activation, start) + perGroup * orderGroups(job.signers).length + GRACE_MS,
    pendingChanges: [],
  };
}

function isPartnerRejection(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === commonFailureTypes.rejectedByPartner
  );
}
