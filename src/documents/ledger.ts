/**
 * Who holds a document: the calling system that uploaded it, or a workflow whose activities stored or read it.
 * Holders are opaque ids (a caller id, a workflow ID), never a person.
 */
export type DocumentHolder = { kind: 'caller'; callerId: string } | { kind: 'workflow'; workflowId: string };

/** One holder of one document, with what that holder said about it (media type and file name stay out of logs). */
export interface HolderRecord {
  holder: DocumentHolder;
  /** When this holder last uploaded (caller) or first touched (workflow) the document, ms since the epoch. */
  recordedAtMs: number;
  mediaType?: string;
  fileName?: string;
}

/**
 * The references ledger next to the blobs: sha256 → holders. The content-addressed store knows nothing of names or
 * owners; the documents API decides access from this ledger, and retention decides what may go. It lives on the same
 * backend as the blobs (a folder next to them, or keys in the same bucket), so every worker and API replica that
 * shares the blobs shares the ledger too.
 */
export interface ReferenceLedger {
  /**
   * Records a holder. A caller's record is replaced (a new upload refreshes its time, type and name); a workflow's
   * first record is kept (retention counts from the flow's close, not from its last read).
   */
  record(sha256: string, record: HolderRecord): Promise<void>;
  holders(sha256: string): Promise<HolderRecord[]>;
  /** Drops every record of a document (after retention deleted it). */
  forget(sha256: string): Promise<void>;
}

export function holderKey(holder: DocumentHolder): string {
  return holder.kind === 'caller' ? `caller:${holder.callerId}` : `workflow:${holder.workflowId}`;
}

export function sameHolder(a: DocumentHolder, b: DocumentHolder): boolean {
  return holderKey(a) === holderKey(b);
}
