import type { InputProblem } from './failure-types';
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
  /**
   * Checks the whole input before a starter derives the business key or search attributes from it, so a caller gets
   * "/reference must be …" rather than a TypeError or "Invalid search attribute value undefined". The workflow runs
   * the same validator in its guard (callers in other languages skip this one). Flows without one are listed in
   * docs/persisted-names.md.
   */
  validate?: (input: unknown) => InputProblem[];
  /**
   * Whether a business key may be used again once its flow closed (see docs/persisted-names.md for each flow's choice):
   * - `REJECT_DUPLICATE`: never; the key names one business process for good (the default).
   * - `ALLOW_DUPLICATE_FAILED_ONLY`: after a failed, cancelled, terminated or timed-out run, a new start under the same
   *   key runs again (safe when a failed run left nothing at the partner that a second run would duplicate).
   * - `ALLOW_DUPLICATE`: after any closed run (workflows that are re-created per event, e.g. signal-with-start inboxes).
   */
  idReusePolicy?: FlowIdReusePolicy;
  /** The business key: starting twice with the same input never starts a second process. */
  workflowId(input: Input): string;
  /** Opaque reference shown as the `FerjeExternalReference` search attribute. */
  externalReference(input: Input): string;
  /** One line for the UI; must not contain personal data. */
  summary(input: Input): string;
  /** Phantom fields that carry the types; never set at runtime. */
  readonly _input?: Input;
  readonly _output?: Output;
}

export type FlowIdReusePolicy = 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY' | 'ALLOW_DUPLICATE';

export type FlowInput<F> = F extends FlowDefinition<infer I, unknown> ? I : never;
export type FlowOutput<F> = F extends FlowDefinition<unknown, infer O> ? O : never;

export function defineFlow<Input, Output>(definition: FlowDefinition<Input, Output>): FlowDefinition<Input, Output> {
  return definition;
}
