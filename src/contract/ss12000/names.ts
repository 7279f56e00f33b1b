import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Ss12000RegistrationOutcome, Ss12000SubscriptionStatus, Ss12000WebhookSignal } from './types';

/** Persisted names: renaming one strands running workflows. */
export const ss12000WorkflowTypes = {
  subscription: 'ss12000SubscriptionWorkflow',
  syncPass: 'ss12000SyncPassWorkflow',
} as const;

export const ss12000WorkflowIdPrefix = 'ss12000-subscription';

/** Sent by the ingress for every accepted webhook. */
export const ss12000WebhookSignal = defineSignal<[Ss12000WebhookSignal]>('ss12000Webhook');

/** Plain snapshot: registration, subscription, per-type watermarks and last outcomes, pending work. */
export const ss12000StatusQuery = defineQuery<Ss12000SubscriptionStatus>('ss12000Status');

/** Returns once the subscription is created (or failed): the AP's "was my registration accepted?". */
export const ss12000RegistrationUpdate = defineUpdate<Ss12000RegistrationOutcome, []>('ss12000Registration');
