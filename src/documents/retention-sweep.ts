import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  RETENTION_LISTED_SHA256_LIMIT,
  type DocumentsRetentionResult,
  type RetentionPlan,
} from '../contract/documents/retention';
import type { HolderRecord } from './ledger';
import type { DocumentStores } from './stores';

/** A referencing flow as retention sees it. */
export type FlowState = { open: true } | { open: false; closedAtMs: number };

/** Looks a flow up in Temporal. A flow Temporal no longer knows closed before the namespace's retention period. */
export function temporalFlowState(client: Client): (workflowId: string, recordedAtMs: number) => Promise<FlowState> {
  return async (workflowId, recordedAtMs) => {
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      if (d.status.name === 'RUNNING') return { open: true };
      return { open: false, closedAtMs: d.closeTime?.getTime() ?? recordedAtMs };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { open: false, closedAtMs: recordedAtMs };
      throw err;
    }
  };
}

export interface SweepDeps {
  stores: DocumentStores;
  flowState(workflowId: string, recordedAtMs: number): Promise<FlowState>;
  now(): number;
  /** Called every few documents (the activity heartbeats). */
  progress?(examined: number): void;
}

type Verdict =
  | { delete: true; reason: 'closedFlows' | 'unusedUploads' }
  | { delete: false; reason: 'openFlow' | 'recentlyClosed' | 'recentUpload' | 'undecided' };

async function judge(
  records: HolderRecord[],
  storedAtMs: number,
  plan: RetentionPlan,
  deps: SweepDeps,
  states: Map<string, FlowState | 'undecided'>,
): Promise<Verdict> {
  const now = deps.now();
  // A (re-)upload restarts the grace time: the caller may be about to start a flow with it.
  const lastCallerUpload = Math.max(0, ...records.filter((r) => r.holder.kind === 'caller').map((r) => r.recordedAtMs));
  const flows = records.filter((r) => r.holder.kind === 'workflow');
  if (flows.length === 0)
    return now - Math.max(storedAtMs, lastCallerUpload) < plan.unusedUploadGraceMs
      ? { delete: false, reason: 'recentUpload' }
      : { delete: true, reason: 'unusedUploads' };
  const recentlyUploaded = now - lastCallerUpload < plan.unusedUploadGraceMs;
  let lastClose = 0;
  for (const record of flows) {
    const workflowId = (record.holder as { workflowId: string }).workflowId;
    let state = states.get(workflowId);
    if (!state) {
      state = await deps.flowState(workflowId, record.recordedAtMs).catch(() => 'undecided' as const);
      states.set(workflowId, state);
    }
    if (state === 'undecided') return { delete: false, reason: 'undecided' };
    if (state.open) return { delete: false, reason: 'openFlow' };
    lastClose = Math.max(lastClose, state.closedAtMs);
  }
  if (now - lastClose < plan.retainAfterCloseMs) return { delete: false, reason: 'recentlyClosed' };
  if (recentlyUploaded) return { delete: false, reason: 'recentUpload' };
  return { delete: true, reason: 'closedFlows' };
}

const sameRecords = (a: HolderRecord[], b: HolderRecord[]): boolean =>
  JSON.stringify(a.map((r) => [r.holder, r.recordedAtMs]).sort()) ===
  JSON.stringify(b.map((r) => [r.holder, r.recordedAtMs]).sort());

/**
 * One retention pass over every stored document: deletes those that only closed flows reference, once the last of
 * them closed longer than `retainAfterClose` ago, and uploads no flow used within `unusedUploadGrace`. Anything an
 * open flow references, or whose flows cannot be looked up right now, stays. Holders are read again just before a
 * delete, so a document that a flow or caller took up during the pass is kept.
 */
export async function sweepDocuments(plan: RetentionPlan, deps: SweepDeps): Promise<DocumentsRetentionResult> {
  const startedAt = new Date(deps.now()).toISOString();
  const result: DocumentsRetentionResult = {
    startedAt,
    finishedAt: startedAt,
    plan,
    examined: 0,
    deleted: { count: 0, bytes: 0, closedFlows: 0, unusedUploads: 0, sha256s: [], truncated: false },
    kept: { openFlow: 0, recentlyClosed: 0, recentUpload: 0, undecided: 0 },
  };
  const states = new Map<string, FlowState | 'undecided'>();
  for await (const blob of deps.stores.blobs.list()) {
    result.examined++;
    if (result.examined % 50 === 0) deps.progress?.(result.examined);
    const records = await deps.stores.ledger.holders(blob.sha256);
    const verdict = await judge(records, blob.storedAtMs, plan, deps, states);
    if (!verdict.delete) {
      result.kept[verdict.reason]++;
      continue;
    }
    if (!plan.dryRun) {
      if (!sameRecords(records, await deps.stores.ledger.holders(blob.sha256))) {
        result.kept.undecided++;
        continue;
      }
      await deps.stores.blobs.delete(blob);
      await deps.stores.ledger.forget(blob.sha256);
    }
    result.deleted.count++;
    result.deleted.bytes += blob.size;
    result.deleted[verdict.reason]++;
    if (result.deleted.sha256s.length < RETENTION_LISTED_SHA256_LIMIT) result.deleted.sha256s.push(blob.sha256);
    else result.deleted.truncated = true;
  }
  result.finishedAt = new Date(deps.now()).toISOString();
  return result;
}
