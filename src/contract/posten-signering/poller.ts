import type { BlobRef } from '../blob-ref';
import type { PortalJobStatus, PostenStatusChange } from './job';

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
  latest?: PostenStatusChange;
  pendingChanges: PostenStatusChange[];
}

export interface UnownedJobResult {
  signatureJobId: string;
  jobStatus?: PortalJobStatus;
  decision: 'ADOPTED' | 'CONFIRMED_BY_OPERATOR' | 'CANCELLED_DUPLICATE' | 'CONFIRMED_LATE_REDELIVERY';
  xades: BlobRef[];
  pades?: BlobRef;
}
