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
  postenIdPrefixes,
  postenLimits,
  postenStatusChangeSignal,
  postenWorkflowTypes,
} from '../../src/contract/posten-signering';
import { checkKeySegment, InputProblems } from '../../src/contract/input-rules';
import { searchAttributes } from '../../src/contract/search-attributes';

/** `UNROUTABLE`: the job id cannot be part of a workflow ID (see below); the change stays unconfirmed at Posten. */
export type RouteOutcome = 'JOB' | 'UNOWNED' | 'UNROUTABLE';

/** Visibility can lag a moment behind the job workflow's upsert of its Posten job id: look again after these waits. */
export const OWNER_LOOKUP_WAITS_MS = [250, 500, 1000, 2000, 4000];

/**
 * Hands one status change to the workflow that owns it, durably, before the caller moves on:
 * - the job workflow `posten-job/<sender>/<reference>` if it is running (it de-duplicates and confirms);
 * - without a `reference` (optional in Posten's XSD, absent from its examples), the job workflow whose
 *   `PostenSignatureJobId` search attribute is the change's job id (see `routeByJobId`);
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
  if (!change.reference) return routeByJobId(client, options, change);
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
  const closedRelation: Pick<UnownedJobInput, 'ownedByClosedWorkflow' | 'duplicateOf'> = {};
  if (ownerWorkflowId) {
    const owner = await closedOwner(client, ownerWorkflowId);
    if (owner?.signatureJobId === change.signatureJobId) closedRelation.ownedByClosedWorkflow = ownerWorkflowId;
    else if (owner) closedRelation.duplicateOf = { workflowId: ownerWorkflowId, signatureJobId: owner.signatureJobId };
  }
  return startUnowned(client, options, change, closedRelation);
}

/** Signal-with-start of the job's unowned-job workflow. */
async function startUnowned(
  client: Client,
  options: { sender: string; pollingQueue?: string; taskQueue: string; policy: UnownedJobPolicy },
  change: PostenStatusChange,
  closedRelation: Pick<UnownedJobInput, 'ownedByClosedWorkflow' | 'duplicateOf'>,
): Promise<RouteOutcome> {
  let unownedWorkflowId: string;
  try {
    unownedWorkflowId = unownedJobWorkflowId(options.sender, change.signatureJobId);
  } catch {
    // A job id that the business-key rules refuse (e.g. one that happens to pass a national identity number's
    // checksum) must not fail the drain, and with it the queue's poller: the change stays leased at Posten and comes
    // back after its redelivery time, visible in the log, while every other change flows on.
    return 'UNROUTABLE';
  }
  const input: UnownedJobInput = {
    sender: options.sender,
    signatureJobId: change.signatureJobId,
    policy: options.policy,
    ...closedRelation,
  };
  if (options.pollingQueue) input.pollingQueue = options.pollingQueue;
  if (change.reference) input.reference = change.reference;
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

/**
 * A change without `reference`: its owner is found by a visibility query on the job id. A running owner gets the
 * change; a completed owner of this very job makes it a late redelivery (confirmed by the unowned-job workflow, the
 * owner stored everything). When no owner shows up, even after waiting out visibility lag, the change goes to an
 * unowned-job workflow that HOLDS it unconfirmed whatever the policy: Ferje cannot tell a job created elsewhere from
 * one whose workflow visibility has not caught up, and a change whose owner was not found is never confirmed. Posten
 * redelivers it after 10 minutes, when the lookup runs again.
 */
async function routeByJobId(
  client: Client,
  options: { sender: string; pollingQueue?: string; taskQueue: string; policy: UnownedJobPolicy },
  change: PostenStatusChange,
): Promise<RouteOutcome> {
  let closed: string | undefined;
  for (const wait of [0, ...OWNER_LOOKUP_WAITS_MS]) {
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const owners = await ownersByJobId(client, options.sender, change.signatureJobId);
    closed ??= owners.closed;
    if (owners.running) {
      try {
        await client.workflow.getHandle(owners.running).signal(postenStatusChangeSignal, { change });
        return 'JOB';
      } catch (err) {
        // Closed between the query and the signal: look again.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    if (closed) break;
  }
  const owner = closed ? await closedOwner(client, closed) : undefined;
  const lateRedelivery = owner?.signatureJobId === change.signatureJobId ? closed : undefined;
  return startUnowned(client, { ...options, policy: lateRedelivery ? options.policy : 'HOLD' }, change, {
    ...(lateRedelivery ? { ownedByClosedWorkflow: lateRedelivery } : {}),
  });
}

/** Job workflows of this sender whose `PostenSignatureJobId` is the job id: a running one, and a closed one. */
async function ownersByJobId(
  client: Client,
  sender: string,
  signatureJobId: string,
): Promise<{ running?: string; closed?: string }> {
  // The id passed the xs:long check of the parser: digits only, safe inside the query's quotes.
  if (!/^-?[0-9]{1,19}$/.test(signatureJobId)) return {};
  const prefix = `${postenIdPrefixes.signatureJob}/${sender}/`;
  const query =
    `${searchAttributes.postenSignatureJobId.name} = "${signatureJobId}" AND ` +
    `WorkflowType = "${postenWorkflowTypes.signatureJob}"`;
  const found: { running?: string; closed?: string } = {};
  for await (const execution of client.workflow.list({ query })) {
    if (!execution.workflowId.startsWith(prefix)) continue;
    if (execution.status.name === 'RUNNING') found.running = execution.workflowId;
    else found.closed ??= execution.workflowId;
  }
  return found;
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
