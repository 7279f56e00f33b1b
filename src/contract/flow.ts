import type { IntegrationName } from './task-queues';

/**
 * Everything a starter needs to know about one workflow type: its persisted names, where it runs, how its business
 * key is derived and what the UI shows before the first workflow task. Starters written in other languages get the
 * same facts from the generated JSON Schemas and the README.
 */
export interface FlowDefinition<Input, Output> {
  /** Short name used by the CLI (`ferje start <name>`). */
  name: string;
  /** Temporal workflow type: part of the persisted contract. */
  workflowType: string;
  taskQueue: string;
  integration: IntegrationName;
  /** Type names in src/contract that describe the input and the result (used to generate JSON Schemas). */
  inputTypeName: string;
  outputTypeName: string;
  description: string;
  /** The business key: starting twice with the same input never starts a second process. */
  workflowId(input: Input): string;
  /** Opaque reference shown as the `FerjeExternalReference` search attribute. */
  externalReference(input: Input): string;
  /** One line for the UI; must not contain personal data. */
  summary(input: Input): string;
  /**
   * Whether a closed execution's business key may be used again: `REJECT_DUPLICATE` (the default: starting twice
   * never starts a second process) or `ALLOW_DUPLICATE_FAILED_ONLY` (a failed, cancelled or terminated flow may be
   * started again under the same key; one that completed may not). Values are Temporal's `WorkflowIdReusePolicy`.
   */
  idReusePolicy?: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY';
  /** Phantom fields that carry the types; never set at runtime. */
  readonly _input?: Input;
  readonly _output?: Output;
}

export type FlowInput<F> = F extends FlowDefinition<infer I, unknown> ? I : never;
export type FlowOutput<F> = F extends FlowDefinition<unknown, infer O> ? O : never;

export function defineFlow<Input, Output>(definition: FlowDefinition<Input, Output>): FlowDefinition<Input, Output> {
  return definition;
}
