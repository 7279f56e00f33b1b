import type { BlobRef } from '../blob-ref';

export type SignatureType = 'ADVANCED_ELECTRONIC_SIGNATURE' | 'AUTHENTICATED_ELECTRONIC_SIGNATURE';
export type OnBehalfOf = 'SELF' | 'OTHER';
export type AuthenticationLevel = '3' | '4';
export type IdentifierInSignedDocuments = 'PERSONAL_IDENTIFICATION_NUMBER_AND_NAME' | 'DATE_OF_BIRTH_AND_NAME' | 'NAME';
export type PortalJobStatus = 'IN_PROGRESS' | 'COMPLETED_SUCCESSFULLY' | 'FAILED';

/** Signer statuses Posten documents today. The wire type is an open string: unknown values are kept and logged. */
export const knownSignerStatuses = [
  'WAITING',
  'SIGNED',
  'REJECTED',
  'CANCELLED',
  'EXPIRED',
  'RESERVED',
  'CONTACT_INFORMATION_MISSING',
  'BLOCKED',
  'SIGNERS_NAME_NOT_AVAILABLE',
  'NOT_APPLICABLE',
] as const;

/** Contact information for notifications given by the sender (e-mail, mobile, or both). */
export interface SignerContact {
  email?: string;
  /** Mobile number as Posten expects it (digits, optional leading +). */
  mobile?: string;
}

/**
 * One signer of a portal job. Identified either by personal identification number or, when that is absent, by the
 * contact information in `notifications` ("identified-by-contact-information").
 */
export interface PostenSigner {
  personalIdentificationNumber?: string;
  /** 0-9; lower groups sign first, equal values sign in parallel. */
  order?: number;
  signatureType?: SignatureType;
  /** Notify through the given contact information. Exactly one of `notifications` / `notificationsUsingLookup`. */
  notifications?: SignerContact;
  /** Notify through contact information looked up in KRR (public senders, signers with a PIN only). */
  notificationsUsingLookup?: { sms?: boolean };
  onBehalfOf?: OnBehalfOf;
}

export interface PostenDocument {
  /** Shown to signers; 1-80 characters. */
  title: string;
  /** Original file name (used for the entry name in the bundle after reduction to a safe alphabet). */
  fileName: string;
  /** Default `application/pdf`. */
  mediaType?: string;
  /** The document's bytes in Ferje's blob store. */
  content: BlobRef;
}

/** Everything a calling system says about one portal signature job. */
export interface PostenSignatureJobInput {
  /** Organisation number (9 digits) of the organisation collecting the signatures. */
  sender: string;
  /**
   * The caller's own reference: 1-50 characters of `A-Z a-z 0-9 . _ : @ + = -`. Part of the workflow ID and shown in
   * Posten's e-mails, so it must never contain personal data. Posten echoes it on every status change, which is how
   * Ferje routes changes and recognises a duplicate job after a create whose outcome was unknown.
   */
  reference: string;
  /** Posten polling queue; absent = the sender's default queue. Same alphabet as `reference`, not starting with `_`. */
  pollingQueue?: string;
  title: string;
  nonsensitiveTitle?: string;
  description?: string;
  documents: PostenDocument[];
  signers: PostenSigner[];
  requiredAuthentication?: AuthenticationLevel;
  availability?: {
    /** ISO-8601 date-time with offset; absent or past = activate at once. */
    activationTime?: string;
    /** Seconds each order group may take; default 30 days, at most 90 days. */
    availableSeconds?: number;
  };
  identifierInSignedDocuments?: IdentifierInSignedDocuments;
  /** Set by Ferje itself when the workflow continues as new; callers leave it out. */
  resume?: SignatureJobResumeState;
}

/** One signer's last known state. `index` is the signer's position in the input: the only reference used in logs. */
export interface SignerProgress {
  index: number;
  order: number;
  status: string;
  since?: string;
  xades?: BlobRef;
}

export interface DuplicateJob {
  signatureJobId: string;
  /** What Ferje did: cancelled it, or found it already finished (its documents are then kept, not lost). */
  outcome: 'CANCELLED' | 'ALREADY_FINISHED';
  status: PortalJobStatus;
  pades?: BlobRef;
}

/**
 * A document Posten offered (or owed) that Ferje could not get: the download answered 404 or another refusal a retry
 * cannot fix (the documents were deleted at Posten, or their retention ran out). `signerIndex` is the signer's
 * position in the input.
 */
export type MissingDocument = { document: 'PADES' } | { document: 'XADES'; signerIndex: number };

/**
 * How a signature job ended, as its result says:
 * - Posten's final job status (`COMPLETED_SUCCESSFULLY`, `FAILED`; `IN_PROGRESS` only inside failures' details);
 * - `COMPLETED_DOCUMENTS_MISSING`: every signer signed, but at least one signed document could not be downloaded
 *   (see `documentsMissing`): never reported as plain success;
 * - `NOT_CREATED`: cancelled before the job was created at Posten.
 */
export type PostenSignatureJobOutcome = PortalJobStatus | 'COMPLETED_DOCUMENTS_MISSING' | 'NOT_CREATED';

/** Values of the `FerjeStatus` search attribute of a signature-job workflow. */
export type PostenSignatureJobStatus = PostenSignatureJobOutcome | 'CREATING' | 'CREATE_UNCERTAIN' | 'CANCELLING';

/** Values of the `FerjeStatus` search attribute of a status-poller workflow. */
export type PostenStatusPollerStatus = 'POLLING';

/** Values of the `FerjeStatus` search attribute of an unowned-job workflow (`HELD`: waiting for an operator). */
export type PostenUnownedJobStatus = 'HELD' | 'RECEIVED' | PortalJobStatus;

export interface PostenSignatureJobResult {
  /** Posten's job id (xs:long, kept as a string); absent when the job was cancelled before it was created. */
  signatureJobId?: string;
  status: PostenSignatureJobOutcome;
  /**
   * Documents Posten offered that could not be downloaded (empty when every one is stored). Ferje still confirmed
   * the change at Posten: what it could store is durable, the gap is durable in this result, and an unconfirmed
   * change would only come back every 10 minutes without the documents (see docs/posten-signering.md).
   */
  documentsMissing: MissingDocument[];
  cancelledBySender: boolean;
  signers: SignerProgress[];
  /** The signed PDF (PAdES) when Posten offered one at the end (every signer, or the signatures made so far). */
  pades?: BlobRef;
  /** The exact document bundle (ASiC-E) that was sent. */
  bundle?: BlobRef;
  /** Other jobs Posten created for the same reference (a retried create whose first outcome was unknown). */
  duplicateJobs: DuplicateJob[];
}

/** State carried through continue-as-new (plain JSON). */
export interface SignatureJobResumeState {
  signatureJobId?: string;
  cancellationUrl?: string;
  bundle?: BlobRef;
  createUncertain: boolean;
  jobStatus: PortalJobStatus | 'NOT_CREATED';
  signers: SignerProgress[];
  pades?: BlobRef;
  seenChangeKeys: string[];
  duplicateJobs: DuplicateJob[];
  cancelRequested: boolean;
  cancelAttempted: boolean;
  cancelledBySender: boolean;
  changesProcessed: number;
  redeliveriesRecognised: number;
  deadlineAt: number;
  pendingChanges: PostenStatusChange[];
  /** Absent in state carried by runs before documents could be missing. */
  documentsMissing?: MissingDocument[];
}

/** One signature in a status change. Carries personal data: travels only inside encrypted payloads. */
export interface StatusChangeSignature {
  status: string;
  since: string;
  personalIdentificationNumber?: string;
  email?: string;
  mobile?: string;
  xadesUrl?: string;
}

/** A `portal-signature-job-status-change-response` as Ferje routes it to the job's workflow. */
export interface PostenStatusChange {
  signatureJobId: string;
  reference?: string;
  status: PortalJobStatus;
  confirmationUrl: string;
  cancellationUrl?: string;
  deleteDocumentsUrl?: string;
  padesUrl?: string;
  signatures: StatusChangeSignature[];
  /** When the poller received it (ISO): for the UI only, not part of the de-duplication key. */
  receivedAt: string;
}

export function isTerminalJobStatus(status: string): status is 'COMPLETED_SUCCESSFULLY' | 'FAILED' {
  return status === 'COMPLETED_SUCCESSFULLY' || status === 'FAILED';
}

/**
 * What makes two deliveries "the same change": the job, its status and every signer's (status, since). A change that
 * Posten puts back on the queue after 10 minutes without confirmation has the same key.
 */
export function statusChangeKey(change: PostenStatusChange): string {
  return [change.signatureJobId, change.status, ...change.signatures.map((s) => `${s.status}@${s.since}`)].join('|');
}

export interface StatusPollerInput {
  sender: string;
  /** Absent = the sender's default queue. */
  pollingQueue?: string;
  /** Changes one drain activity hands over before it reports back (default 100). */
  maxChangesPerDrain?: number;
  /** Counters carried through continue-as-new. */
  carried?: { polls: number; changesDispatched: number; changesToUnowned: number; runs: number };
}

/** How Ferje treats status changes of jobs that no signature-job workflow owns. */
export type UnownedJobPolicy = 'HOLD' | 'ADOPT';

export interface UnownedJobInput {
  sender: string;
  pollingQueue?: string;
  signatureJobId: string;
  /** The reference Posten reported (may be absent for jobs created without one). */
  reference?: string;
  policy: UnownedJobPolicy;
  /** Set when the reference belongs to a closed Ferje job workflow that owned a different Posten job. */
  duplicateOf?: { workflowId: string; signatureJobId?: string };
  /** Set when the reference belongs to a closed Ferje job workflow that owned this very job (a late redelivery). */
  ownedByClosedWorkflow?: string;
  /** State carried through continue-as-new (set by Ferje). */
  resume?: UnownedJobResumeState;
}

export interface UnownedJobResumeState {
  jobStatus?: PortalJobStatus;
  released: boolean;
  cancelled: boolean;
  changesReceived: number;
  confirmed: number;
  seenChangeKeys: string[];
  /** XAdES by position in Posten's signature list (the signers' identities are not known to Ferje here). */
  xades: (BlobRef | null)[];
  pades?: BlobRef;
  /** Documents Posten offered but refused to hand out (absent in state carried by earlier runs). */
  documentsMissing?: MissingDocument[];
  latest?: PostenStatusChange;
  pendingChanges: PostenStatusChange[];
}

export interface UnownedJobResult {
  signatureJobId: string;
  jobStatus?: PortalJobStatus;
  decision: 'ADOPTED' | 'CONFIRMED_BY_OPERATOR' | 'CANCELLED_DUPLICATE' | 'CONFIRMED_LATE_REDELIVERY';
  xades: BlobRef[];
  pades?: BlobRef;
  /** Documents Posten offered but refused to hand out (`signerIndex` = position in Posten's signature list). */
  documentsMissing: MissingDocument[];
}

export interface CancelJobOutcome {
  /** `CANCELLATION_REQUESTED`: Posten accepted (204); the final FAILED status follows through the queue. */
  outcome: 'CANCELLATION_REQUESTED' | 'NOT_CREATED';
}

export type SignatureJobPhase =
  'VALIDATING' | 'CREATING' | 'CREATE_UNCERTAIN' | 'AWAITING_SIGNATURES' | 'CANCELLING' | 'FINISHED';

/** Plain snapshot for the UI and callers; signers are referenced by index only (no personal data). */
export interface SignatureJobProgress {
  phase: SignatureJobPhase;
  signatureJobId?: string;
  jobStatus: PortalJobStatus | 'NOT_CREATED';
  signers: SignerProgress[];
  pades?: BlobRef;
  changesProcessed: number;
  redeliveriesRecognised: number;
  /** Signals whose argument was malformed: ignored (and logged) rather than failing the workflow task. */
  ignoredSignals: number;
  documentsMissing: MissingDocument[];
  duplicateJobIds: string[];
  cancelRequested: boolean;
  cancelOutcome?: 'CANCELLATION_REQUESTED' | 'ALREADY_FINISHED' | 'NOT_CREATED';
}

export interface StatusPollerState {
  sender: string;
  pollingQueue?: string;
  polls: number;
  changesDispatched: number;
  changesToUnowned: number;
  lastOutcome?: string;
  lastPollAt?: string;
  nextPollAt?: string;
  runs: number;
}

export interface UnownedJobState {
  signatureJobId: string;
  jobStatus?: PortalJobStatus;
  held: boolean;
  changesReceived: number;
  confirmed: number;
  xadesStored: number;
  padesStored: boolean;
  ignoredSignals: number;
  decision?: string;
}
