import type { BlobRef } from '../../src/contract/blob-ref';
import {
  isTerminalJobStatus,
  statusChangeKey,
  type MissingDocument,
  type PostenStatusChange,
  type PostenUnownedJobStatus,
  type UnownedJobInput,
  type UnownedJobResult,
  type UnownedJobResumeState,
  type UnownedJobState,
} from '../../src/contract/posten-signering';
import { noteDownload } from './missing-documents';

/**
 * The unowned-job workflow's state and decisions, without I/O: which mode a job is in, what a change asks for
 * (store, cancel, confirm), when the workflow is done, and what its result says.
 */

export type UnownedMode = 'LATE_REDELIVERY' | 'DUPLICATE' | 'ADOPT' | 'HOLD';
export type ReleaseAction = 'CONFIRM' | 'CANCEL_AND_CONFIRM';

export interface UnownedJobRun {
  s: UnownedJobResumeState;
  queue: PostenStatusChange[];
  mode: UnownedMode;
  decision?: ReleaseAction;
  decisionApplied: boolean;
  ignoredSignals: number;
}

const SEEN_KEYS_KEPT = 200;

export function modeOf(input: UnownedJobInput): UnownedMode {
  if (input.ownedByClosedWorkflow) return 'LATE_REDELIVERY';
  if (input.duplicateOf) return 'DUPLICATE';
  return input.policy === 'ADOPT' ? 'ADOPT' : 'HOLD';
}

export function startUnownedRun(input: UnownedJobInput): UnownedJobRun {
  const s: UnownedJobResumeState = input.resume
    ? { ...input.resume }
    : {
        released: false,
        cancelled: false,
        changesReceived: 0,
        confirmed: 0,
        seenChangeKeys: [],
        xades: [],
        pendingChanges: [],
      };
  const queue = s.pendingChanges;
  s.pendingChanges = [];
  return { s, queue, mode: modeOf(input), decisionApplied: false, ignoredSignals: 0 };
}

export function isHeld(run: UnownedJobRun): boolean {
  return run.mode === 'HOLD' && !run.s.released;
}

export function unownedStatus(run: UnownedJobRun): PostenUnownedJobStatus {
  return isHeld(run) ? 'HELD' : (run.s.jobStatus ?? 'RECEIVED');
}

/**
 * Takes in one change; returns what to do with it: `store` (fetch what it offers) and `cancel` only for a change
 * not seen before, and `confirm` unless the job is held for an operator.
 */
export function receiveChange(run: UnownedJobRun, change: PostenStatusChange) {
  const { s, mode } = run;
  s.changesReceived++;
  const key = statusChangeKey(change);
  const fresh = !s.seenChangeKeys.includes(key);
  if (fresh) {
    s.seenChangeKeys.push(key);
    if (s.seenChangeKeys.length > SEEN_KEYS_KEPT) s.seenChangeKeys.shift();
    s.jobStatus = change.status;
  }
  s.latest = change;
  return {
    store: fresh && mode !== 'LATE_REDELIVERY',
    cancel: fresh && mode === 'DUPLICATE',
    confirm: mode !== 'HOLD' || s.released,
  };
}

/** Whether a running job may be cancelled with this change (once, while it is still in progress). */
export function mayCancel(run: UnownedJobRun, change: PostenStatusChange): boolean {
  return !run.s.cancelled && change.status === 'IN_PROGRESS' && change.cancellationUrl !== undefined;
}

export interface UnownedDownload {
  url: string;
  document: MissingDocument;
}

/** The documents a change offers that are not stored yet (XAdES by position in Posten's list; PAdES at the end). */
export function downloadsFor(run: UnownedJobRun, change: PostenStatusChange): UnownedDownload[] {
  const downloads: UnownedDownload[] = [];
  change.signatures.forEach((signature, position) => {
    if (signature.xadesUrl && !run.s.xades[position]) {
      downloads.push({ url: signature.xadesUrl, document: { document: 'XADES', signerIndex: position } });
    }
  });
  if (isTerminalJobStatus(change.status) && change.padesUrl && !run.s.pades) {
    downloads.push({ url: change.padesUrl, document: { document: 'PADES' } });
  }
  return downloads;
}

export function recordUnownedDownload(run: UnownedJobRun, document: MissingDocument, ref: BlobRef | undefined): void {
  const { s } = run;
  if (document.document === 'XADES') {
    while (s.xades.length <= document.signerIndex) s.xades.push(null);
    s.xades[document.signerIndex] = ref ?? null;
  } else if (ref) {
    s.pades = ref;
  }
  noteDownload((s.documentsMissing ??= []), document, ref !== undefined);
}

/** An operator's decision is waiting to be applied (to the latest change). */
export function decisionPending(run: UnownedJobRun): boolean {
  return run.decision !== undefined && !run.decisionApplied && run.s.latest !== undefined;
}

export function isDone(run: UnownedJobRun): boolean {
  return (isTerminalJobStatus(run.s.jobStatus ?? '') && run.s.released) || run.mode === 'LATE_REDELIVERY';
}

export function unownedStateOf(run: UnownedJobRun, signatureJobId: string): UnownedJobState {
  const { s } = run;
  return {
    signatureJobId,
    jobStatus: s.jobStatus,
    held: isHeld(run),
    changesReceived: s.changesReceived,
    confirmed: s.confirmed,
    xadesStored: s.xades.filter((x) => x).length,
    padesStored: !!s.pades,
    ignoredSignals: run.ignoredSignals,
    decision: run.decision,
  };
}

const DECISIONS: Record<UnownedMode, UnownedJobResult['decision']> = {
  LATE_REDELIVERY: 'CONFIRMED_LATE_REDELIVERY',
  DUPLICATE: 'CANCELLED_DUPLICATE',
  ADOPT: 'ADOPTED',
  HOLD: 'CONFIRMED_BY_OPERATOR',
};

export function unownedResultOf(run: UnownedJobRun, signatureJobId: string): UnownedJobResult {
  const { s } = run;
  return {
    signatureJobId,
    ...(s.jobStatus ? { jobStatus: s.jobStatus } : {}),
    decision: DECISIONS[run.mode],
    xades: s.xades.filter((x): x is NonNullable<typeof x> => x !== null),
    ...(s.pades ? { pades: s.pades } : {}),
    documentsMissing: [...(s.documentsMissing ?? [])],
  };
}

export function carriedUnownedState(run: UnownedJobRun): UnownedJobResumeState {
  return { ...run.s, pendingChanges: [...run.queue] };
}
