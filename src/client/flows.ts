import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { encodeToPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { InputProblem } from '../contract/failure-types';
import type { FlowDefinition } from '../contract/flow';
import { searchAttributes } from '../contract/search-attributes';
import { FlowStartError, invalidFlowInput } from './flow-errors';
import { INPUT_HASH_MEMO, inputSha256 } from './input-hash';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFlow = FlowDefinition<any, any>;
type InputOf<F> = F extends FlowDefinition<infer I, infer _O> ? I : never;
type OutputOf<F> = F extends FlowDefinition<infer _I, infer O> ? O : never;

/**
 * Temporal refuses a request whose payloads exceed the server's blob size limit (`limit.blobSize.error`, 2 MiB by
 * default) with a bare "Failed to start Workflow"; Ferje checks the encoded input first and says so in words.
 */
export const TEMPORAL_BLOB_LIMIT_BYTES = 2 * 1024 * 1024;

export interface StartedFlow<F extends AnyFlow> {
  workflowId: string;
  /** False when a workflow with this business key already existed (running or closed): no second process. */
  started: boolean;
  /**
   * When `started` is false: whether the existing flow was started with the same input (by the input hash in its
   * memo); undefined when it cannot be told (started without a hash, e.g. by another language's starter).
   */
  sameInput?: boolean;
  handle: WorkflowHandle;
  result(): Promise<OutputOf<F>>;
}

export interface FlowStartOverrides extends Partial<Pick<WorkflowStartOptions, 'memo' | 'staticDetails'>> {
  /** Another task queue than the flow's (tests, and deployments that split a queue). */
  taskQueue?: string;
}

/**
 * The one place that turns a flow definition and an input into Temporal start options: the input is validated first
 * (with the flow's validator, before the business key and search attributes are derived from it), then the key, ID
 * reuse policy, search attributes, summary and the input hash memo; the encoded input is checked against Temporal's
 * blob limit. Refusals are `FlowStartError`s that say what is wrong.
 */
export async function flowStartOptions<F extends AnyFlow>(
  client: Client,
  flow: F,
  input: InputOf<F>,
  overrides: FlowStartOverrides = {},
): Promise<WorkflowStartOptions & { workflowId: string }> {
  const problems = validateForStart(flow, input);
  if (problems.length > 0) throw invalidFlowInput(flow.name, problems);
  let derived: { workflowId: string; externalReference: string; summary: string };
  try {
    derived = {
      workflowId: flow.workflowId(input),
      externalReference: flow.externalReference(input),
      summary: flow.summary(input),
    };
  } catch (err) {
    const why = err instanceof TypeError ? 'a required field is missing' : (err as Error).message;
    throw invalidFlowInput(flow.name, [{ path: '', problem: `gives no business key (${why})` }]);
  }
  if (typeof derived.externalReference !== 'string' || derived.externalReference === '') {
    throw invalidFlowInput(flow.name, [{ path: '', problem: 'gives no external reference for the business key' }]);
  }
  await checkEncodedSize(client, flow, input);
  const { taskQueue, memo, ...rest } = overrides;
  return {
    workflowId: derived.workflowId,
    taskQueue: taskQueue ?? flow.taskQueue,
    args: [input],
    workflowIdReusePolicy: flow.idReusePolicy ?? 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: searchAttributes.integration, value: flow.integration },
      { key: searchAttributes.externalReference, value: derived.externalReference },
    ],
    staticSummary: derived.summary,
    memo: { ...memo, [INPUT_HASH_MEMO]: inputSha256(input) },
    ...rest,
  };
}

/**
 * Starts a flow, idempotent on its business key (what bootstrap code calls "use existing"): whether an execution with
 * that key is running or closed, no second one starts (unless the flow's `idReusePolicy` allows a new run after a
 * failed one); the caller gets a handle to the existing one, `started: false`, and whether its input was the same.
 */
export async function startFlow<F extends AnyFlow>(
  client: Client,
  flow: F,
  input: InputOf<F>,
  overrides: FlowStartOverrides = {},
): Promise<StartedFlow<F>> {
  const options = await flowStartOptions(client, flow, input, overrides);
  const { workflowId } = options;
  try {
    const handle = await client.workflow.start(flow.workflowType, { ...options, workflowIdConflictPolicy: 'FAIL' });
    return { workflowId, started: true, handle, result: () => handle.result() as Promise<OutputOf<F>> };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const handle = client.workflow.getHandle(workflowId);
  const existing = (await handle.describe()).memo?.[INPUT_HASH_MEMO];
  const sameInput = typeof existing === 'string' ? existing === options.memo?.[INPUT_HASH_MEMO] : undefined;
  return {
    workflowId,
    started: false,
    ...(sameInput !== undefined ? { sameInput } : {}),
    handle,
    result: () => handle.result() as Promise<OutputOf<F>>,
  };
}

/**
 * Signal-with-start of a flow (inboxes, routers, webhook targets): signals the running execution with this business
 * key, or starts it with `input` and then signals it (one object argument per signal, as every Ferje signal has). Same options, validation and checks as `startFlow`.
 */
export async function signalWithStartFlow<F extends AnyFlow, S>(
  client: Client,
  flow: F,
  input: InputOf<F>,
  signal: SignalDefinition<[S]>,
  signalArg: S,
  overrides: FlowStartOverrides = {},
): Promise<{ workflowId: string; handle: WorkflowHandle }> {
  const options = await flowStartOptions(client, flow, input, overrides);
  const handle = await client.workflow.signalWithStart(flow.workflowType, {
    workflowId: options.workflowId,
    taskQueue: options.taskQueue,
    args: options.args as unknown[],
    workflowIdReusePolicy: options.workflowIdReusePolicy,
    typedSearchAttributes: options.typedSearchAttributes,
    staticSummary: options.staticSummary,
    staticDetails: options.staticDetails,
    memo: options.memo,
    signal,
    signalArgs: [signalArg],
  });
  return { workflowId: options.workflowId, handle };
}

function validateForStart(flow: AnyFlow, input: unknown): InputProblem[] {
  try {
    return flow.validate?.(input) ?? [];
  } catch (err) {
    // A validator written for typed input may throw on `null`; the input is refused all the same, in words.
    return [{ path: '', problem: `could not be validated (${(err as Error).name})` }];
  }
}

async function checkEncodedSize(client: Client, flow: AnyFlow, input: unknown): Promise<void> {
  const payloads = (await encodeToPayloads(client.options.loadedDataConverter, input)) ?? [];
  const bytes = payloads.reduce(
    (sum, p) =>
      sum +
      (p.data?.length ?? 0) +
      Object.entries(p.metadata ?? {}).reduce((m, [k, v]) => m + k.length + (v?.length ?? 0), 0),
    0,
  );
  if (bytes > TEMPORAL_BLOB_LIMIT_BYTES) {
    throw new FlowStartError(
      'input-too-large',
      `Input for ${flow.name} is ${bytes} bytes encoded; Temporal refuses more than ${TEMPORAL_BLOB_LIMIT_BYTES} bytes ` +
        'per start. Put large documents in the blob store and pass references (BlobRef) instead',
    );
  }
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
