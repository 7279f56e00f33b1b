import type { BlobRef } from '../../src/contract/blob-ref';
import {
  isTerminalJobStatus,
  knownSignerStatuses,
  orderGroups,
  postenLimits,
  statusChangeKey,
  type MissingDocument,
  type PostenSignatureJobInput,
  type PostenSignatureJobResult,
  type PostenSignatureJobStatus,
  type PostenSigner,
  type PostenStatusChange,
  type SignatureJobPhase,
  type SignatureJobProgress,
  type SignatureJobResumeState,
  type StatusChangeSignature,
} from '../../src/contract/posten-signering';
import { noteDownload } from './missing-documents';

/**
 * The signature-job workflow's state and decisions, without I/O: what a status change means for the job, which
 * documents to fetch, when to cancel, and what the result says. The workflow function only orchestrates these.
 */

export type PostenJob = Omit<PostenSignatureJobInput, 'resume'>;
export type CancelOutcome = 'CANCELLATION_REQUESTED' | 'ALREADY_FINISHED' | 'NOT_CREATED';

export interface SignatureJobState {
  /** Carried through continue-as-new. */
  s: SignatureJobResumeState;
  /** Status changes received and not yet processed. */
  queue: PostenStatusChange[];
  phase: SignatureJobPhase;
  cancelOutcome?: CancelOutcome;
  resolveAction?: 'RETRY_CREATE' | 'ABANDON';
  ignoredSignals: number;
}

const SEEN_KEYS_KEPT = 200;
/** After the availability period, Posten's final status may still be on its way: wait this much longer. */
export const GRACE_MS = 7 * 24 * 3600_000;
/** After a cancellation through Temporal, how long the job keeps storing what arrives until the final change. */
export const CANCEL_DRAIN_MS = 30 * 60_000;

export function initialJobState(job: PostenJob, now: number): SignatureJobResumeState {
  const activation = job.availability?.activationTime ? Date.parse(job.availability.activationTime) : now;
  const perGroup = (job.availability?.availableSeconds ?? postenLimits.availableSecondsDefault) * 1000;
  return {
    createUncertain: false,
    jobStatus: 'NOT_CREATED',
    signers: job.signers.map((signer, index) => ({ index, order: signer.order ?? 0, status: 'WAITING' })),
    seenChangeKeys: [],
    duplicateJobs: [],
    cancelRequested: false,
    cancelAttempted: false,
    cancelledBySender: false,
    changesProcessed: 0,
    redeliveriesRecognised: 0,
    deadlineAt: Math.max(activation, now) + perGroup * orderGroups(job.signers).length + GRACE_MS,
    pendingChanges: [],
    documentsMissing: [],
  };
}

/** A run's state: fresh, or resumed from the state the previous run carried (its pending changes come first). */
export function startJobState(
  job: PostenJob,
  resume: SignatureJobResumeState | undefined,
  now: number,
): SignatureJobState {
  const s = resume ? { ...resume, documentsMissing: resume.documentsMissing ?? [] } : initialJobState(job, now);
  const queue = s.pendingChanges;
  s.pendingChanges = [];
  const phase: SignatureJobPhase = s.signatureJobId
    ? 'AWAITING_SIGNATURES'
    : s.createUncertain
      ? 'CREATE_UNCERTAIN'
      : 'VALIDATING';
  return { s, queue, phase, ignoredSignals: 0 };
}

/**
 * The `FerjeStatus` an operator sees: the step in progress while creating or cancelling, else the job's outcome
 * (a completed job without all its documents shows `COMPLETED_DOCUMENTS_MISSING`, never plain success).
 */
export function operatorStatus(state: SignatureJobState, flagMissing: boolean): PostenSignatureJobStatus {
  const { phase } = state;
  if (phase === 'CREATE_UNCERTAIN' || phase === 'CREATING' || phase === 'CANCELLING') return phase;
  return outcomeOf(state.s, flagMissing);
}

function outcomeOf(s: SignatureJobResumeState, flagMissing: boolean): PostenSignatureJobResult['status'] {
  const missing = s.documentsMissing ?? [];
  return flagMissing && s.jobStatus === 'COMPLETED_SUCCESSFULLY' && missing.length > 0
    ? 'COMPLETED_DOCUMENTS_MISSING'
    : s.jobStatus;
}

export function recordCreated(
  state: SignatureJobState,
  created: { signatureJobId: string; cancellationUrl: string; bundle: BlobRef },
): void {
  state.s.signatureJobId = created.signatureJobId;
  state.s.cancellationUrl = created.cancellationUrl;
  state.s.bundle = created.bundle;
  state.s.jobStatus = 'IN_PROGRESS';
}

/** A create whose outcome stays unknown (every attempt failed, some may have reached Posten). */
export function recordCreateUncertain(state: SignatureJobState): void {
  state.s.createUncertain = true;
}

/** Whether this change names the job an uncertain create did make (same reference, no job known yet). */
export function adoptsUncertainCreate(state: SignatureJobState, job: PostenJob, change: PostenStatusChange): boolean {
  return !state.s.signatureJobId && state.s.createUncertain && change.reference === job.reference;
}

export function adoptJob(state: SignatureJobState, change: PostenStatusChange): void {
  state.s.signatureJobId = change.signatureJobId;
  state.s.cancellationUrl = change.cancellationUrl;
  state.s.createUncertain = false;
  state.s.jobStatus = 'IN_PROGRESS';
}

/** A change of a different Posten job with this job's reference: a duplicate from a retried create. */
export function isDuplicateJob(state: SignatureJobState, change: PostenStatusChange): boolean {
  return change.signatureJobId !== state.s.signatureJobId;
}

export function isRedelivery(state: SignatureJobState, change: PostenStatusChange): boolean {
  return state.s.seenChangeKeys.includes(statusChangeKey(change));
}

export interface PlannedDownload {
  url: string;
  document: MissingDocument;
}

/**
 * Applies a fresh change's signer statuses and returns the documents to fetch now (each signer's XAdES once, the
 * PAdES once the job has ended), plus what could not be matched (for the log; never personal data).
 */
export function applyChange(state: SignatureJobState, job: PostenJob, change: PostenStatusChange) {
  const downloads: PlannedDownload[] = [];
  let unmatched = 0;
  const unknownStatuses: { signerIndex: number; status: string }[] = [];
  for (const signature of change.signatures) {
    const index = matchSigner(job.signers, signature);
    if (index === undefined) {
      unmatched++;
      continue;
    }
    if (!isKnownSignerStatus(signature.status)) unknownStatuses.push({ signerIndex: index, status: signature.status });
    const signer = state.s.signers[index];
    signer.status = signature.status;
    signer.since = signature.since;
    if (signature.xadesUrl && !signer.xades) {
      downloads.push({ url: signature.xadesUrl, document: { document: 'XADES', signerIndex: index } });
    }
  }
  if (isTerminalJobStatus(change.status) && change.padesUrl && !state.s.pades) {
    downloads.push({ url: change.padesUrl, document: { document: 'PADES' } });
  }
  return { downloads, unmatched, unknownStatuses };
}

/** Stores a download's outcome: the reference, or the document as missing (until a later offer succeeds). */
export function recordDownload(state: SignatureJobState, document: MissingDocument, ref: BlobRef | undefined): void {
  if (ref && document.document === 'PADES') state.s.pades = ref;
  else if (ref && document.document === 'XADES') state.s.signers[document.signerIndex].xades = ref;
  noteDownload((state.s.documentsMissing ??= []), document, ref !== undefined);
}

/** The change's effect on the job once what it offered is stored (before it is confirmed). */
export function settleChange(state: SignatureJobState, change: PostenStatusChange): void {
  if (change.cancellationUrl) state.s.cancellationUrl = change.cancellationUrl;
  state.s.jobStatus = change.status;
}

/** After the confirmation: a redelivery of this change is recognised by its content from now on. */
export function rememberChange(state: SignatureJobState, change: PostenStatusChange): void {
  state.s.seenChangeKeys.push(statusChangeKey(change));
  if (state.s.seenChangeKeys.length > SEEN_KEYS_KEPT) state.s.seenChangeKeys.shift();
}

/** A cancel was asked for and not tried yet, and there is (or may be) a job to cancel. */
export function needsCancel(state: SignatureJobState): boolean {
  const { s } = state;
  return s.cancelRequested && !s.cancelAttempted && (s.signatureJobId !== undefined || !s.createUncertain);
}

/** What a cancel can do now: nothing to cancel, too late, or ask Posten. */
export function cancelDecision(state: SignatureJobState): 'NOT_CREATED' | 'ALREADY_FINISHED' | 'CANCEL' {
  state.s.cancelAttempted = true;
  if (!state.s.signatureJobId || !state.s.cancellationUrl) return 'NOT_CREATED';
  if (isTerminalJobStatus(state.s.jobStatus)) return 'ALREADY_FINISHED';
  return 'CANCEL';
}

export function recordCancel(state: SignatureJobState, outcome: 'CANCELLED' | 'ALREADY_FINISHED'): void {
  state.cancelOutcome = outcome === 'CANCELLED' ? 'CANCELLATION_REQUESTED' : 'ALREADY_FINISHED';
  if (outcome === 'CANCELLED') state.s.cancelledBySender = true;
}

/** The job has its final change stored and confirmed, and nothing is waiting. */
export function jobFinished(state: SignatureJobState): boolean {
  return isTerminalJobStatus(state.s.jobStatus) && state.queue.length === 0;
}

/** Whether a duplicate job still needs cancelling (first change seen of it, and it is still running). */
export function duplicateToCancel(state: SignatureJobState, change: PostenStatusChange): boolean {
  return (
    !state.s.duplicateJobs.some((d) => d.signatureJobId === change.signatureJobId) &&
    change.status === 'IN_PROGRESS' &&
    change.cancellationUrl !== undefined
  );
}

/** Records what was done about a duplicate and returns it (its PAdES is fetched once it ends: nothing signed is lost). */
export function recordDuplicate(
  state: SignatureJobState,
  change: PostenStatusChange,
  outcome: 'CANCELLED' | 'ALREADY_FINISHED' | undefined,
) {
  let dup = state.s.duplicateJobs.find((d) => d.signatureJobId === change.signatureJobId);
  if (!dup) {
    dup = { signatureJobId: change.signatureJobId, outcome: outcome ?? 'ALREADY_FINISHED', status: change.status };
    state.s.duplicateJobs.push(dup);
  }
  dup.status = change.status;
  return { dup, fetchPades: isTerminalJobStatus(change.status) && change.padesUrl !== undefined && !dup.pades };
}

export function progressOf(state: SignatureJobState): SignatureJobProgress {
  const { s } = state;
  return {
    phase: state.phase,
    signatureJobId: s.signatureJobId,
    jobStatus: s.jobStatus,
    signers: s.signers.map((x) => ({ ...x })),
    pades: s.pades,
    changesProcessed: s.changesProcessed,
    redeliveriesRecognised: s.redeliveriesRecognised,
    ignoredSignals: state.ignoredSignals,
    documentsMissing: [...(s.documentsMissing ?? [])],
    duplicateJobIds: s.duplicateJobs.map((d) => d.signatureJobId),
    cancelRequested: s.cancelRequested,
    cancelOutcome: state.cancelOutcome,
  };
}

export function resultOf(state: SignatureJobState, flagMissing: boolean): PostenSignatureJobResult {
  const { s } = state;
  return {
    signatureJobId: s.signatureJobId,
    status: outcomeOf(s, flagMissing),
    cancelledBySender: s.cancelledBySender,
    signers: s.signers.map((x) => ({ ...x })),
    ...(s.pades ? { pades: s.pades } : {}),
    ...(s.bundle ? { bundle: s.bundle } : {}),
    duplicateJobs: s.duplicateJobs,
    documentsMissing: [...(s.documentsMissing ?? [])],
  };
}

/** The state handed to the next run, with the changes not processed yet. */
export function carriedState(state: SignatureJobState): SignatureJobResumeState {
  return { ...state.s, pendingChanges: [...state.queue] };
}

/**
 * Posten reports signers by identity (personal identification number, or the e-mail/mobile pair for signers
 * identified by contact information), never by position. This maps them back to the input's index, the only signer
 * reference Ferje shows anywhere.
 */
export function matchSigner(signers: PostenSigner[], signature: StatusChangeSignature): number | undefined {
  if (signature.personalIdentificationNumber !== undefined) {
    const i = signers.findIndex((s) => s.personalIdentificationNumber === signature.personalIdentificationNumber);
    return i >= 0 ? i : undefined;
  }
  const i = signers.findIndex(
    (s) =>
      s.personalIdentificationNumber === undefined &&
      s.notifications !== undefined &&
      (s.notifications.email ?? undefined) === (signature.email ?? undefined) &&
      (s.notifications.mobile ?? undefined) === (signature.mobile ?? undefined),
  );
  if (i >= 0) return i;
  // Posten may echo only one of e-mail/mobile: fall back to any one that matches.
  const j = signers.findIndex(
    (s) =>
      s.personalIdentificationNumber === undefined &&
      ((signature.email !== undefined && s.notifications?.email === signature.email) ||
        (signature.mobile !== undefined && s.notifications?.mobile === signature.mobile)),
  );
  return j >= 0 ? j : undefined;
}

function isKnownSignerStatus(status: string): boolean {
  return (knownSignerStatuses as readonly string[]).includes(status);
}
