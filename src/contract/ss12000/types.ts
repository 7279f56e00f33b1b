/**
 * The SS12000 resource types Ferje keeps, in the fixed order the DNP client fetches them. Groups reference persons,
 * duties reference persons and organisations and activities reference groups and duties, so a pass in this order
 * never stores a reference before its target.
 */
export const resourceTypes = ['Organisation', 'Person', 'Group', 'Duty', 'Activity'] as const;

export type ResourceType = (typeof resourceTypes)[number];

/** A step of a sync pass: one resource type, or `Deleted` (the `/deletedEntities` list), which always runs last. */
export type SyncStep = ResourceType | 'Deleted';

export const syncSteps: readonly SyncStep[] = [...resourceTypes, 'Deleted'];

export function isResourceType(value: unknown): value is ResourceType {
  return typeof value === 'string' && (resourceTypes as readonly string[]).includes(value);
}

/** Orders steps as a pass runs them, dropping duplicates. */
export function inSyncOrder(steps: readonly SyncStep[]): SyncStep[] {
  return syncSteps.filter((step) => steps.includes(step));
}

/** Tuning of one subscription; every field has a default (see docs/ss12000.md). */
export interface Ss12000SyncOptions {
  /** `limit` sent with every list GET (default 2500: each page is one activity, so fewer, larger pages cost less). */
  pageLimit?: number;
  /** How long to wait after a webhook for more to arrive before a pass starts (default 10 s). */
  webhookQuietSeconds?: number;
  /** Overlap subtracted from a watermark before it is sent as `meta.modified.after` (default 300 s, as DNP does). */
  overlapSeconds?: number;
  /** A catch-up pass of every type runs when no webhook came for this long: webhooks are hints (default 60 min). */
  safetyPassMinutes?: number;
  /** Renew (PATCH) the subscription this long before it expires (default 168 h). */
  renewBeforeExpiryHours?: number;
  /** Wait before retrying the types of a failed pass (default 5 min, doubling up to 2 h). */
  retryFailedPassMinutes?: number;
  /**
   * How long registration keeps retrying while the huvudman API is unavailable (5xx, timeouts, no token) before the
   * subscription fails (default 1440 min = 24 h; 1 min to 7 days). Refusals (401/403/4xx) fail at once.
   */
  registrationRetryMinutes?: number;
}

/** Input of `ss12000SubscriptionWorkflow`: one registered huvudman API (what AP hands to the SS12000 Client). */
export interface Ss12000SubscriptionInput {
  /** Opaque reference of the huvudman's registered API (business key segment; never personal data). */
  huvudman: string;
  /** The huvudman's `organization_id` (e.g. `SE2120000000`): webhook JWTs must carry exactly this claim. */
  organisationId: string;
  /**
   * Base URL of the huvudman's SS12000 API, e.g. `https://testhuvudman.se/ss12000-api/v2.0`. Ferje's configuration
   * decides where it calls (`SS12000_HUVUDMAN_APIS` per huvudman, or the operator's `SS12000_API_ALLOWED_URLS`);
   * a value other than the configured one fails the flow with `FerjeInvalidInput` before any request.
   */
  apiBaseUrl?: string;
  /** Types to subscribe to and keep (default all five). */
  resourceTypes?: ResourceType[];
  /** Subscription `name` sent to the huvudman (default `Ferje SS12000 client`). */
  subscriptionName?: string;
  /**
   * Where to POST the registration outcome (the AP callback); optional, callers can also use the update. Must lie
   * under one of the operator's `SS12000_CALLBACK_ALLOWED_URLS`, else `FerjeInvalidInput` before any request.
   */
  registrationCallbackUrl?: string;
  options?: Ss12000SyncOptions;
  /** Set by continue-as-new only. */
  carried?: Ss12000CarriedState;
}

export type RegistrationStatus = 'PENDING' | 'SUBSCRIBED' | 'FAILED';

/** What AP is told, and what the `registration` update returns. */
export interface Ss12000RegistrationOutcome {
  huvudman: string;
  status: RegistrationStatus;
  subscriptionId?: string;
  expires?: string;
  /** Why registration failed, in words (no personal data). */
  reason?: string;
}

/** A webhook as the ingress hands it to the subscription workflow (spelling variants already folded). */
export interface Ss12000WebhookSignal {
  modifiedTypes: ResourceType[];
  deleted: boolean;
  /** When the ingress accepted it (ISO 8601). */
  receivedAt: string;
}

export interface Ss12000Subscription {
  id: string;
  /** ISO 8601, as the huvudman API answered (absent if it did not say). */
  expires?: string;
  target: string;
  /** When Ferje created or last renewed it (workflow time); absent in state carried by older runs. */
  since?: string;
}

export type PassKind = 'full' | 'webhook' | 'catch-up' | 'retry' | 'safety';

export type StepStatus = 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

export interface StepOutcome {
  step: SyncStep;
  status: StepStatus;
  pages: number;
  fetched: number;
  stored: number;
  invalid: number;
  deleted: number;
  /** Workflow time when this step sent its first GET: the new watermark if it succeeded. */
  startedAt?: string;
  finishedAt?: string;
  /** Failure type and message (never entity data). */
  error?: { type: string; message: string };
}

export interface Ss12000SyncPassInput {
  huvudman: string;
  /** The huvudman's configured API (activities check it against the configuration again before any request). */
  apiBaseUrl?: string;
  passNumber: number;
  kind: PassKind;
  steps: SyncStep[];
  /** The types the subscription keeps (the Deleted step applies deletions of these only). */
  keptTypes: ResourceType[];
  /** `meta.modified.after` (or `after` for Deleted) per step; absent = everything. */
  since: Partial<Record<SyncStep, string>>;
  pageLimit: number;
  /** Set by continue-as-new only: where the pass was. */
  resume?: { outcomes: StepOutcome[]; stepIndex: number; pageToken?: string; stepStartedAt?: string };
}

export interface Ss12000SyncPassResult {
  huvudman: string;
  passNumber: number;
  kind: PassKind;
  outcome: 'SUCCEEDED' | 'FAILED';
  steps: StepOutcome[];
}

/** Per resource type: the last successful fetch and the last pass that touched it. */
export interface TypeSyncState {
  /** Start time of the last successful fetch of this type; the next one asks for changes after it minus the overlap. */
  watermark?: string;
  lastOutcome?: StepOutcome;
  lastPassNumber?: number;
}

/** Everything the subscription workflow carries through continue-as-new (plain JSON). */
export interface Ss12000CarriedState {
  registration: Ss12000RegistrationOutcome;
  subscription?: Ss12000Subscription;
  types: Partial<Record<SyncStep, TypeSyncState>>;
  pending: { steps: SyncStep[]; kind: PassKind; firstAt?: string };
  passNumber: number;
  webhooksReceived: number;
  webhooksCoalesced: number;
  consecutiveFailures: number;
  /** Earliest time the next retry of a failed pass may start. */
  retryAt?: string;
  lastPass?: { passNumber: number; kind: PassKind; outcome: 'SUCCEEDED' | 'FAILED'; finishedAt: string };
  /** After a renewal that failed (other than a lost subscription): the next attempt not before this time. */
  renewRetryAt?: string;
  renewals: number;
  recreations: number;
  /** Webhook signals refused because their arguments were malformed (ignored, never fatal). */
  webhooksRejected?: number;
}

/** Where a subscription workflow is, as the `status` query reports it. */
export type Ss12000SubscriptionPhase =
  'SUBSCRIBING' | 'REGISTRATION_RETRYING' | 'SYNCING' | 'WAITING' | 'RETRY_WAIT' | 'FAILED' | 'UNSUBSCRIBED';

/** `FerjeStatus` values of `ss12000SubscriptionWorkflow` (the phase, with WAITING shown as CURRENT). */
export type Ss12000SubscriptionWorkflowStatus = Exclude<Ss12000SubscriptionPhase, 'WAITING'> | 'CURRENT';

/** `FerjeStatus` values of `ss12000SyncPassWorkflow`. */
export type Ss12000SyncPassWorkflowStatus = 'SYNCING' | 'SUCCEEDED' | 'FAILED';

/** While registration waits for an unavailable huvudman API: visible in the query and the UI. */
export interface Ss12000RegistrationRetry {
  /** Rounds of attempts that failed so far (each round is up to 3 POSTs). */
  rounds: number;
  lastError: string;
  /** After this time registration gives up and the subscription fails. */
  giveUpAt: string;
  nextAttemptAt?: string;
}

/** The `status` query: a plain snapshot for the CLI and the UI. */
export interface Ss12000SubscriptionStatus extends Ss12000CarriedState {
  huvudman: string;
  phase: Ss12000SubscriptionPhase;
  registrationRetry?: Ss12000RegistrationRetry;
  currentPass?: { passNumber: number; kind: PassKind; steps: SyncStep[] };
}

/** Result of the subscription workflow (only when it ends: cancelled = unsubscribed). */
export interface Ss12000SubscriptionResult {
  huvudman: string;
  status: 'UNSUBSCRIBED';
  passes: number;
}
