import { defineQuery } from '@temporalio/workflow';
import type { SignatureOperationState } from './types';

/** Persisted names: renaming one strands running executions (see docs/persisted-names.md). */
export const signstashWorkflowTypes = {
  signatureOperation: 'signstashSignatureOperation',
} as const;

/** The operation's phase, instance, status and counts (no personal data). */
export const signatureOperationStateQuery = defineQuery<SignatureOperationState>('signstashOperationState');
