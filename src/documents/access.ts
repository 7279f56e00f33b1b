import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { searchAttributes } from '../contract/search-attributes';
import type { HolderRecord, ReferenceLedger } from './ledger';

/** Every request is this caller when the dev stack runs the API open on loopback. */
export const OPEN_CALLER = 'dev';

export interface AccessDecision {
  allowed: boolean;
  /** The record whose media type and file name the download presents (the caller's own upload first). */
  presented?: HolderRecord;
}

/**
 * A caller reads a document it uploaded, or one that a flow it started stored or read (the flow's FerjeCaller search
 * attribute names the caller). Flows are looked up in Temporal, so a flow's caller is read from one place only.
 */
export async function decideAccess(
  client: Client,
  ledger: ReferenceLedger,
  callerId: string,
  sha256: string,
  open: boolean,
): Promise<AccessDecision> {
  const records = await ledger.holders(sha256);
  const own = records.find((r) => r.holder.kind === 'caller' && r.holder.callerId === callerId);
  const withMetadata = (r: HolderRecord | undefined): HolderRecord | undefined =>
    r ?? records.find((x) => x.mediaType !== undefined) ?? records[0];
  if (open) return { allowed: true, presented: withMetadata(own) };
  if (own) return { allowed: true, presented: own };
  for (const record of records) {
    if (record.holder.kind !== 'workflow') continue;
    if ((await flowCaller(client, record.holder.workflowId)) === callerId)
      return { allowed: true, presented: withMetadata(undefined) };
  }
  return { allowed: false };
}

async function flowCaller(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.typedSearchAttributes.get(searchAttributes.caller);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}
