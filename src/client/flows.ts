import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { FlowDefinition } from '../contract/flow';
import { searchAttributes } from '../contract/search-attributes';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFlow = FlowDefinition<any, any>;
type InputOf<F> = F extends FlowDefinition<infer I, infer _O> ? I : never;
type OutputOf<F> = F extends FlowDefinition<infer _I, infer O> ? O : never;

export interface StartedFlow<F extends AnyFlow> {
  workflowId: string;
  /** False when a workflow with this business key already existed (running or closed): no second process. */
  started: boolean;
  handle: WorkflowHandle;
  result(): Promise<OutputOf<F>>;
}

/**
 * Starts a flow, idempotent on its business key: whether an execution with that key is running or already closed,
 * no second one starts (`FAIL` + `REJECT_DUPLICATE`); the caller gets a handle to the existing one instead and
 * `started: false`.
 */
export async function startFlow<F extends AnyFlow>(
  client: Client,
  flow: F,
  input: InputOf<F>,
  options: Partial<Pick<WorkflowStartOptions, 'memo' | 'staticDetails'>> = {},
): Promise<StartedFlow<F>> {
  const workflowId = flow.workflowId(input);
  let handle: WorkflowHandle;
  let started = true;
  try {
    handle = await client.workflow.start(flow.workflowType, {
      workflowId,
      taskQueue: flow.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: searchAttributes.integration, value: flow.integration },
        { key: searchAttributes.externalReference, value: flow.externalReference(input) },
      ],
      staticSummary: flow.summary(input),
      ...options,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    handle = client.workflow.getHandle(workflowId);
    started = false;
  }
  return { workflowId, started, handle, result: () => handle.result() as Promise<OutputOf<F>> };
}

/** Typed helpers for one flow, for TypeScript callers. */
export function flowClient<F extends AnyFlow>(client: Client, flow: F) {
  return {
    start: (input: InputOf<F>) => startFlow(client, flow, input),
    workflowIdFor: (input: InputOf<F>) => flow.workflowId(input),
    handle: (workflowId: string) => client.workflow.getHandle(workflowId),
    result: (workflowId: string) => client.workflow.getHandle(workflowId).result() as Promise<OutputOf<F>>,
    // One object argument per signal, query and update (new optional fields never break running histories).
    signal: <A>(workflowId: string, def: SignalDefinition<[A]>, arg: A) =>
      client.workflow.getHandle(workflowId).signal(def, arg),
    query: <R>(workflowId: string, def: QueryDefinition<R, []>) => client.workflow.getHandle(workflowId).query(def),
    update: <R, A>(workflowId: string, def: UpdateDefinition<R, [A]>, arg: A) =>
      client.workflow.getHandle(workflowId).executeUpdate(def, { args: [arg] }),
    cancel: (workflowId: string) => client.workflow.getHandle(workflowId).cancel(),
  };
}
