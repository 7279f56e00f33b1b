import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type {
  PostenSignatureJobResult,
  PostenStatusChange,
  UnownedJobInput,
  UnownedJobPolicy,
} from '../../src/contract/posten-signering';
import {
  signatureJobWorkflowId,
  unownedJobWorkflowId,
  postenLimits,
  postenStatusChangeSignal,
  postenWorkflowTypes,
} from '../../src/contract/posten-signering';
import { checkKeySegment, InputProblems } from '../../src/contract/input-rules';
import { searchAttributes } from '../../src/contract/search-attributes';

/** `UNROUTABLE`: the job id cannot be part of a workflow ID (see below); the change stays unconfirmed at Posten. */
export type RouteOutcome = 'JOB' | 'UNOWNED' | 'UNROUTABLE';

/**
 * Hands one status change to the workflow that owns it, durably, before the caller moves on:
 * - the job workflow `posten-job/<sender>/<reference>` if it is running (it de-duplicates and confirms);
 * - otherwise an unowned-job workflow `posten-unowned/<sender>/<jobId>` (signal-with-start), told whether the
 *   reference belonged to a closed Ferje job and whether that job was this one (a late redelivery) or another
 *   (a duplicate created by a retried create).
 */
export async function routeStatusChange(
  client: Client,
  options: { sender: string; pollingQueue?: string; taskQueue: string; policy: UnownedJobPolicy },
  change: PostenStatusChange,
): Promise<RouteOutcome> {
  const { sender } = options;
  let ownerWorkflowId: string | undefined;
  if (change.reference && couldBeFerjeReference(change.reference)) {
    ownerWorkflowId = signatureJobWorkflowId(sender, change.reference);
    try {
      await client.workflow.getHandle(ownerWorkflowId).signal(postenStatusChangeSignal, { change });
      return 'JOB';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  let unownedWorkflowId: string;
  try {
    unownedWorkflowId = unownedJobWorkflowId(sender, change.signatureJobId);
  } catch {
    // A job id that the business-key rules refuse (e.g. one that happens to pass a national identity number's
    // checksum) must not fail the drain, and with it the queue's poller: the change stays leased at Posten and comes
    // back after its redelivery time, visible in the log, while every other change flows on.
    return 'UNROUTABLE';
  }
  const input: UnownedJobInput = {
    sender,
    signatureJobId: change.signatureJobId,
    policy: options.policy,
  };
  if (options.pollingQueue) input.pollingQueue = options.pollingQueue;
  if (change.reference) input.reference = change.reference;
  if (ownerWorkflowId) {
    const owner = await closedOwner(client, ownerWorkflowId);
    if (owner?.signatureJobId === change.signatureJobId) input.ownedByClosedWorkflow = ownerWorkflowId;
    else if (owner) input.duplicateOf = { workflowId: ownerWorkflowId, signatureJobId: owner.signatureJobId };
  }
  await client.workflow.signalWithStart(postenWorkflowTypes.unownedJob, {
    workflowId: unownedWorkflowId,
    taskQueue: options.taskQueue,
    args: [input],
    signal: postenStatusChangeSignal,
    signalArgs: [{ change }],
    typedSearchAttributes: [
      { key: searchAttributes.integration, value: 'postenSignering' },
      { key: searchAttributes.externalReference, value: change.signatureJobId },
    ],
    staticSummary: `Unowned Posten job ${change.signatureJobId}`,
  });
  return 'UNOWNED';
}

/** A closed job workflow with this ID, and the Posten job it owned (when it completed with a result). */
async function closedOwner(client: Client, workflowId: string): Promise<{ signatureJobId?: string } | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const description = await handle.describe();
    if (description.status.name !== 'COMPLETED') return {};
    const result = (await handle.result()) as PostenSignatureJobResult;
    return { signatureJobId: result.signatureJobId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Whether a reference Posten echoes could name a Ferje job: Ferje's references pass the same key-segment rule (safe
 * alphabet, at most 50 characters, never a national identity number). Anything else (a job created outside Ferje)
 * goes straight to an unowned-job workflow: building a job workflow ID from it would be refused.
 */
function couldBeFerjeReference(reference: string): boolean {
  const problems = new InputProblems();
  checkKeySegment(problems, '/reference', reference, { maxLength: postenLimits.referenceMax });
  return problems.empty;
}
