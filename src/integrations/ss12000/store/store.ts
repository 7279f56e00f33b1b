import type { SyncStep, PassKind, StepOutcome } from '../../../contract/ss12000';

/** One valid entity, ready to store: the body is the JSON text as fetched (validated, never rewritten). */
export interface EntityRow {
  id: string;
  modified?: string;
  body: string;
}

/** Per huvudman and step: what the last pass did and where the next one starts. */
export interface TypeStateRow {
  step: SyncStep;
  watermark?: string;
  passNumber: number;
  kind: PassKind;
  outcome: StepOutcome;
}

export interface StoreSummaryRow {
  huvudman: string;
  step: SyncStep;
  /** Entities currently stored (not soft-deleted). */
  stored: number;
  softDeleted: number;
  watermark?: string;
  lastPass?: number;
  lastKind?: string;
  lastStatus?: string;
  lastError?: string;
  lastFinishedAt?: string;
}

/**
 * Where synced SS12000 data lives. The default is an embedded SQL database; another implementation (a shared
 * Postgres for several worker replicas, a message sink) plugs in behind this interface. All writes are idempotent:
 * upsert by id, soft delete by id.
 */
export interface Ss12000Store {
  upsert(huvudman: string, type: string, rows: EntityRow[]): Promise<number>;
  /** Marks entities deleted (kept for audit); returns how many were newly marked. */
  softDelete(huvudman: string, type: string, ids: string[], at: string): Promise<number>;
  recordTypeStates(huvudman: string, rows: TypeStateRow[]): Promise<void>;
  summary(huvudman?: string): Promise<StoreSummaryRow[]>;
  /** One stored entity (tests, support); `deletedAt` set when soft-deleted. */
  get(huvudman: string, type: string, id: string): Promise<{ body: unknown; deletedAt?: string } | undefined>;
  close(): Promise<void>;
}
