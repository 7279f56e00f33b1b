import { defineQuery } from '@temporalio/workflow';
import { signatureOperationStatuses, type SignatureOperationState } from './types';

/** Persisted names: renaming one strands running executions (see docs/persisted-names.md). */
export const signstashWorkflowTypes = {
  signatureOperation: 'signstashSignatureOperation',
} as const;

/** The operation's phase, instance, status and counts (no personal data). */
export const signatureOperationStateQuery = defineQuery<SignatureOperationState>('signstashOperationState');

/** Every `FerjeStatus` value per workflow type (docs/persisted-names.md is generated from it). */
export const signstashStatusValues = {
  [signstashWorkflowTypes.signatureOperation]: signatureOperationStatuses,
} as const;
