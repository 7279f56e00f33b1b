/** The simulator's rules, with the real API's values as defaults (tests shorten the waits). */
export interface PostenSimulatorRules {
  /** Unconfirmed changes come back on the queue after this long (Posten: 10 minutes). */
  redeliveryMs: number;
  /** After a 204 the next poll is permitted this much later (production 10 min, test environments 5-30 s). */
  emptyQueuePollDelayMs: number;
  /** Requests per organisation per sliding second before the DoS block (Posten: 10). */
  maxRequestsPerSecond: number;
  /** How long the DoS block lasts (Posten: 30 s). */
  blockMs: number;
  /** Validate request and manifest against the XSDs (`SCHEMA_VALIDATION_ERROR`). */
  schemaValidation: boolean;
  /** Verify the bundle's XAdES signature. */
  signatureCheck: boolean;
  /** Allowed distance of the bundle's SigningTime from now (Posten: about 5 s). */
  signingTimeToleranceMs: number;
  /** Whether creating a job puts a first (all WAITING) change on the queue. UNVERIFIED in Posten's docs; off. */
  enqueueOnCreate: boolean;
  /** Documents may be deleted this long after the last signature (Posten: 24 h). */
  deleteDocumentsAfterMs: number;
  /** Keep jobs after the final confirmation (the sender's long-term storage setting). */
  longTermStorage: boolean;
  /** Offset of the time stamps the server writes (Posten writes Norwegian local time). */
  utcOffsetMinutes: number;
  /** Certificate organisations allowed to act for other senders: broker org → sender orgs (or `*`). */
  brokers: Record<string, string[] | '*'>;
  /**
   * What the queue holds. `every-change`: each signer action (and expiry, cancel) queues the job's state as it was
   * then, so a slow poller still gets every intermediate `IN_PROGRESS` change, as the seed's example shows one.
   * `latest-per-job`: one pending entry per job, its state read at poll time (Java client's `PortalJobStatus`
   * javadoc: a confirmed job "will not be returned upon subsequent polling, until the status has changed again").
   */
  changeQueue: ChangeQueueMode;
  /**
   * What a POST to a job's confirmation URL (`…/signature-jobs/{id}/complete`, one URL per job) acknowledges.
   * UNVERIFIED; both plausible behaviours: `oldest` = the job's oldest fetched, unconfirmed change (a newer fetched
   * one stays leased); `all-fetched` = every fetched, unconfirmed change of the job (a newer one, even a final one,
   * is confirmed with it; a final one finalises the job).
   */
  confirmScope: ConfirmScope;
  /** Leave `reference` out of status changes (optional in the XSD, absent from Posten's examples). */
  omitReference: boolean;
  /** Appended as `[zone]` to `X-Next-permitted-poll-time` (Java's ISO_DATE_TIME accepts it); empty = none. */
  pollTimeZoneSuffix: string;
}

export type ChangeQueueMode = 'every-change' | 'latest-per-job';
export type ConfirmScope = 'oldest' | 'all-fetched';

/** The rules a test or an operator may switch at runtime (`POST /control/rules`). */
export const switchableRules = ['changeQueue', 'confirmScope', 'omitReference', 'pollTimeZoneSuffix'] as const;

export const defaultRules: PostenSimulatorRules = {
  redeliveryMs: 10 * 60_000,
  emptyQueuePollDelayMs: 5_000,
  maxRequestsPerSecond: 10,
  blockMs: 30_000,
  schemaValidation: true,
  signatureCheck: true,
  signingTimeToleranceMs: 5_000,
  enqueueOnCreate: false,
  deleteDocumentsAfterMs: 24 * 3600_000,
  longTermStorage: false,
  utcOffsetMinutes: 60,
  brokers: {},
  changeQueue: 'every-change',
  confirmScope: 'oldest',
  omitReference: false,
  pollTimeZoneSuffix: '',
};

/** What the simulator does to signers on its own (the demo and the bench use it; tests drive signers directly). */
export interface AutopilotSettings {
  /** `sign`: every signer signs `delayMs` after their group is activated; `reject`: the first signer rejects. */
  mode: 'off' | 'sign' | 'reject';
  delayMs: number;
}

export type FaultRoute = 'create' | 'poll' | 'confirm' | 'cancel' | 'download' | 'any';
/** `status404`: the resource is gone (e.g. a document deleted at Posten, or its retention passed). */
export type FaultKind = 'status5xx' | 'status404' | 'latency' | 'drop' | 'dropAfterCommit' | 'malformedXml';

export interface FaultRule {
  route: FaultRoute;
  kind: FaultKind;
  /** How many requests it affects (default 1). */
  times?: number;
  latencyMs?: number;
}
