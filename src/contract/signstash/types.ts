import type { BlobRef } from '../blob-ref';

/** Final and non-final states of a Sign'Stash operation (the product's own enum). */
export type SignstashOperationStatus = 'PENDING_EXECUTION' | 'EXECUTED' | 'EXECUTION_ERROR' | 'EXECUTION_FAILED';
export type SignstashSignatureType = 'PAdES' | 'XAdES' | 'CAdES';
export type SignstashContentType = 'application/pdf' | 'text/xml' | 'application/xml';
/** `RECEIVED` while the operation is pending. */
export type SignstashSignStatus = 'RECEIVED' | 'SIGNED' | 'ERROR_SIGNING';

/** What to do when the instance that holds the operation is gone for longer than `instanceLostAfterSeconds`. */
export type InstanceLostBehaviour = 'fail' | 'restart';

/** Either the content inline (small documents, counted against a total limit) or a reference into Ferje's blob store. */
export type DocumentContent = { base64: string; blob?: never } | { blob: BlobRef; base64?: never };

export interface SignstashVisibleSignature {
  templateType?: 'ONE_OFF' | 'SERVICE_CUSTOMIZATION';
  oneOffTemplate?: string;
  locationType: 'SIGN_FIELD' | 'COORDINATE' | 'PLACEHOLDER';
  locationValue: string;
  area?: string;
  areaBackgroundColor?: string;
  font?: string;
  imageType?: 'IMAGE_PNG' | 'IMAGE_JPG';
  imageValue?: string;
}

export interface SignstashAdvancedSignature {
  signatureLocation?: string;
  signatureTransform?: 'ENVELOPED' | 'XPATH' | 'XPATH2_FILTER';
  canonicalTransform?: 'EXCLUSIVE' | 'EXCLUSIVE_WITH_COMMENTS';
}

export interface SignstashDocumentInput {
  /** The document's own reference, unique within the operation (opaque; shown nowhere but the encrypted result). */
  externalReference: string;
  /** File name sent to Sign'Stash (may be personal data: never shown in summaries or details). */
  name: string;
  contentType: SignstashContentType;
  content: DocumentContent;
  signatureType: SignstashSignatureType;
  applyTimestamp?: boolean;
  /** PAdES only. */
  reason?: string;
  location?: string;
  /** PDF only. */
  visibleSignature?: SignstashVisibleSignature;
  /** XML only. */
  advancedSignature?: SignstashAdvancedSignature;
}

export interface SignatureOperationOptions {
  /** Default: the deployment's `SIGNSTASH_ON_INSTANCE_LOST` (itself `fail` by default). */
  onInstanceLost?: InstanceLostBehaviour;
  /** How long the owning instance may be unreachable (or not know the operation) before it counts as lost. */
  instanceLostAfterSeconds?: number;
  /** How many times `restart` may start the operation again under a derived reference (1-9). */
  maxRestarts?: number;
  /** Overall limit for one operation to become final, from its acceptance. */
  operationTimeoutSeconds?: number;
}

/** Input of the signature operation workflow. ID: `signstash/<clientServiceId>/<externalReference>`. */
export interface SignatureOperationInput {
  /** The Sign'Stash client service id (e.g. `PRT.505767457-PRT.123654123-84dd8c`); must be configured in Ferje. */
  clientServiceId: string;
  /** Request-level reference, unique per client service: 1-120 characters of A-Z a-z 0-9 . _ : @ + = - */
  externalReference: string;
  /** Context shown to signers (may be personal data; only travels encrypted). */
  description: string;
  documents: SignstashDocumentInput[];
  options?: SignatureOperationOptions;
  /** Set by the workflow itself when it continues as new; callers leave it out. */
  resume?: SignatureOperationResumeState;
}

/** Where an operation lives: the instance that accepted it. Affinity is data and is kept in workflow state. */
export interface SignstashPlacement {
  /** The reference the operation was submitted under (the caller's, or a derived one after a restart). */
  externalReference: string;
  operationId: string;
  host: string;
  port: number;
  /** Epoch ms when Sign'Stash accepted the operation (workflow time). */
  acceptedAtMs: number;
}

/** A document as stored by Ferje before submission. */
export interface PreparedDocument {
  index: number;
  externalReference: string;
  name: string;
  contentType: SignstashContentType;
  content: BlobRef;
  signatureType: SignstashSignatureType;
  applyTimestamp?: boolean;
  reason?: string;
  location?: string;
  visibleSignature?: SignstashVisibleSignature;
  advancedSignature?: SignstashAdvancedSignature;
}

/** Effective policy: caller options over deployment defaults (delivered by the first activity). */
export interface SignatureOperationPolicy {
  onInstanceLost: InstanceLostBehaviour;
  instanceLostAfterMs: number;
  maxRestarts: number;
  operationTimeoutMs: number;
  startRetryIntervalMs: number;
  firstPollDelayMs: number;
  maxPollDelayMs: number;
  /** Continue as new after this many status checks in one run (bounds history even without the server's hint). */
  maxPollsPerRun: number;
}

export interface InstanceLossRecord {
  /** Reference and instance of the operation that was given up. */
  externalReference: string;
  operationId: string;
  host: string;
  port: number;
  /** Why the instance counted as gone: unreachable, did not know the operation, or kept answering with errors. */
  reason: InstanceGoneReason;
  goneForMs: number;
}

export type InstanceGoneReason = 'unreachable' | 'unknown-operation' | 'unhealthy';

/** Carried through continue-as-new (plain JSON only). */
export interface SignatureOperationResumeState {
  /** The prepared documents' manifest in the blob store (documents are not carried through history again). */
  manifest: BlobRef;
  documentCount: number;
  policy: SignatureOperationPolicy;
  placement: SignstashPlacement;
  status: SignstashOperationStatus;
  restarts: InstanceLossRecord[];
  goneSinceMs?: number;
  goneReason?: InstanceGoneReason;
  nextPollDelayMs: number;
  statusChecks: number;
}

export interface SignedDocumentResult {
  index: number;
  externalReference: string;
  signStatus: SignstashSignStatus;
  /** The product's per-document error, e.g. `TIMESTAMP_SIGN_ERROR`. */
  signError?: string;
  /** The signed document in Ferje's blob store (only when `SIGNED`). */
  signed?: BlobRef;
}

export interface SignatureOperationResult {
  /** The caller's reference. */
  requestedReference: string;
  /** Reference, id and instance of the operation that produced this result (derived after a restart). */
  placement: SignstashPlacement;
  /** `EXECUTED` (all signed) or `EXECUTION_ERROR` (some documents failed: see `documents`). */
  status: 'EXECUTED' | 'EXECUTION_ERROR';
  documents: SignedDocumentResult[];
  signedCount: number;
  errorCount: number;
  /** What happened to lost instances: the behaviour that applied and every restart it caused (empty if none). */
  instanceLoss: { behaviour: InstanceLostBehaviour; restarts: InstanceLossRecord[] };
}

/**
 * The `FerjeStatus` search attribute of a signature operation (persisted values: see docs/persisted-names.md).
 * Sign'Stash's own operation status while it runs, then the outcome.
 */
export type SignatureOperationStatus =
  | 'VALIDATING'
  | 'REJECTED'
  | 'STORING_DOCUMENTS'
  | 'SUBMITTING'
  | SignstashOperationStatus
  | 'INSTANCE_UNREACHABLE'
  | 'RESTARTING'
  | 'INSTANCE_LOST'
  | 'TIMED_OUT'
  | 'CANCELLED';

/** Every value of `SignatureOperationStatus`, for the persisted-names table and its check. */
export const signatureOperationStatuses: readonly SignatureOperationStatus[] = [
  'VALIDATING',
  'REJECTED',
  'STORING_DOCUMENTS',
  'SUBMITTING',
  'PENDING_EXECUTION',
  'EXECUTED',
  'EXECUTION_ERROR',
  'EXECUTION_FAILED',
  'INSTANCE_UNREACHABLE',
  'RESTARTING',
  'INSTANCE_LOST',
  'TIMED_OUT',
  'CANCELLED',
];

/** Plain snapshot for the UI and `ferje` queries; no personal data. */
export interface SignatureOperationState {
  phase:
    | 'validating'
    | 'storing-documents'
    | 'submitting'
    | 'polling'
    | 'instance-gone'
    | 'fetching-result'
    | 'completed'
    | 'failed';
  documentCount: number;
  placement?: SignstashPlacement;
  status?: SignstashOperationStatus;
  signedCount?: number;
  statusChecks: number;
  restarts: number;
  goneSinceMs?: number;
  goneReason?: InstanceGoneReason;
}
