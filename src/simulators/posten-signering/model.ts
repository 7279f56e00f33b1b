import type { EnterpriseKeystore } from '../../integrations/posten-signering/keystore';
import { signedPades, signerXades } from './documents';
import { fallbackSeal } from './seal';
import type { AutopilotSettings, PostenSimulatorRules } from './options';

export type JobStatus = 'IN_PROGRESS' | 'COMPLETED_SUCCESSFULLY' | 'FAILED';

export interface SimSigner {
  /** 1-based, as in Posten's XAdES URLs. */
  number: number;
  pin?: string;
  email?: string;
  mobile?: string;
  order: number;
  status: string;
  since: number;
  xades?: Buffer;
}

export interface SimJob {
  id: string;
  sender: string;
  reference?: string;
  queue: string;
  signers: SimSigner[];
  status: JobStatus;
  createdAt: number;
  activationAt: number;
  availableMs: number;
  /** The order group now active, and since when (availability is counted per group). */
  activeOrder?: number;
  groupActivatedAt?: number;
  documents: Map<string, Uint8Array>;
  lastSignedAt?: number;
  /** The final change was confirmed: without long-term storage the job is gone from the API. */
  finalized: boolean;
  /** The PAdES was downloaded after the job ended (a finalisation before that loses it). */
  padesDownloadedAfterEnd?: boolean;
  documentsDeleted: boolean;
}

/** A change fetched from a queue and not yet confirmed (or confirmed: kept for the duplicate-confirm count). */
export interface Delivery {
  id: number;
  jobId: string;
  /** Job state at fetch time; a redelivery returns exactly this. */
  snapshot: JobSnapshot;
  leasedUntil: number;
  confirmations: number;
  requeued: boolean;
}

export interface JobSnapshot {
  status: JobStatus;
  signers: { number: number; status: string; since: number; signed: boolean }[];
  cancellable: boolean;
  deletable: boolean;
}

export interface QueueEntry {
  jobId: string;
  /** Set for a redelivery: return this delivery's snapshot again. */
  redelivery?: number;
  /** The job's state when the change happened (`every-change` queue); absent = read at poll time. */
  snapshot?: JobSnapshot;
}

export interface SimStats {
  requests: number;
  http429: number;
  tooEarlyPolls: number;
  dosBlocks: number;
  creates: number;
  polls: number;
  changesDelivered: number;
  redeliveries: number;
  confirms: number;
  duplicateConfirms: number;
  /** Confirmations that acknowledged a change fetched after an older unconfirmed one (`all-fetched` scope). */
  newerChangesConfirmed: number;
  /** Completed jobs finalised by a confirmation before their PAdES was ever downloaded: signed documents lost. */
  finalizedWithoutPades: number;
  downloads: number;
  cancels: number;
  /** Requests by route (counted before faults apply), e.g. `confirm`. */
  byRoute: Record<string, number>;
  /** When each accepted poll happened (epoch ms), to prove that nobody polled early. */
  pollTimes: number[];
}

const FAILURE_STATUSES = new Set([
  'REJECTED',
  'RESERVED',
  'CONTACT_INFORMATION_MISSING',
  'BLOCKED',
  'SIGNERS_NAME_NOT_AVAILABLE',
]);

/** The model's state as persisted across simulator restarts. */
export interface PostenModelState {
  jobs: Map<string, SimJob>;
  deliveries: Map<number, Delivery>;
  stats: SimStats;
  autopilot: AutopilotSettings;
  queues: Map<string, QueueEntry[]>;
  nextPoll: Map<string, number>;
  nextJobId: number;
  nextDeliveryId: number;
}

export class SimulatorError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Posten's portal job and queue rules, in memory: job and signer state machines with order groups, one FIFO per
 * (sender, polling queue), leases that come back after the redelivery time, and the poll-time rule.
 */
export class PostenModel {
  readonly jobs = new Map<string, SimJob>();
  readonly deliveries = new Map<number, Delivery>();
  readonly stats: SimStats = {
    requests: 0,
    http429: 0,
    tooEarlyPolls: 0,
    dosBlocks: 0,
    creates: 0,
    polls: 0,
    changesDelivered: 0,
    redeliveries: 0,
    confirms: 0,
    duplicateConfirms: 0,
    newerChangesConfirmed: 0,
    finalizedWithoutPades: 0,
    downloads: 0,
    cancels: 0,
    byRoute: {},
    pollTimes: [],
  };
  autopilot: AutopilotSettings = { mode: 'off', delayMs: 1000 };
  private readonly queues = new Map<string, QueueEntry[]>();
  private readonly nextPoll = new Map<string, number>();
  private nextJobId = 1000 + Math.floor(Math.random() * 1000) * 1000;
  private nextDeliveryId = 1;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    public rules: PostenSimulatorRules,
    private readonly now: () => number = Date.now,
  ) {}

  /** Posten's signing certificate for the documents it serves: the simulator's PKI sets it (see ./seal.ts). */
  seal?: EnterpriseKeystore;

  private sealOrFallback(): EnterpriseKeystore {
    return this.seal ?? fallbackSeal().seal;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Everything Posten would still know after a restart of its service (see ../persistence.ts). */
  exportState(): PostenModelState {
    return {
      jobs: this.jobs,
      deliveries: this.deliveries,
      stats: this.stats,
      autopilot: this.autopilot,
      queues: this.queues,
      nextPoll: this.nextPoll,
      nextJobId: this.nextJobId,
      nextDeliveryId: this.nextDeliveryId,
    };
  }

  /** Takes over the state of an earlier run, and lets the autopilot sign what was waiting for it. */
  importState(state: PostenModelState): void {
    for (const [k, v] of state.jobs) this.jobs.set(k, v);
    for (const [k, v] of state.deliveries) this.deliveries.set(k, v);
    Object.assign(this.stats, state.stats);
    this.autopilot = state.autopilot;
    for (const [k, v] of state.queues) this.queues.set(k, v);
    for (const [k, v] of state.nextPoll) this.nextPoll.set(k, v);
    this.nextJobId = state.nextJobId;
    this.nextDeliveryId = state.nextDeliveryId;
    for (const job of this.jobs.values()) {
      if (job.status === 'IN_PROGRESS' && job.activeOrder !== undefined) this.scheduleAutopilot(job);
    }
  }

  createJob(spec: {
    sender: string;
    reference?: string;
    queue?: string;
    signers: Omit<SimSigner, 'number' | 'status' | 'since' | 'xades'>[];
    activationAt?: number;
    availableSeconds?: number;
    documents: Map<string, Uint8Array>;
  }): SimJob {
    const now = this.now();
    const job: SimJob = {
      id: String(this.nextJobId++),
      sender: spec.sender,
      reference: spec.reference,
      queue: spec.queue ?? '',
      signers: spec.signers.map((s, i) => ({ ...s, number: i + 1, status: 'WAITING', since: now })),
      status: 'IN_PROGRESS',
      createdAt: now,
      activationAt: Math.max(now, spec.activationAt ?? now),
      availableMs: (spec.availableSeconds ?? 2_592_000) * 1000,
      documents: spec.documents,
      finalized: false,
      documentsDeleted: false,
    };
    this.jobs.set(job.id, job);
    this.stats.creates++;
    if (job.activationAt <= now) this.activateGroup(job, now);
    if (this.rules.enqueueOnCreate) this.enqueue(job);
    return job;
  }

  /** Moves time-driven state forward: activation and expiry. Called before every request and by a ticker. */
  tick(): void {
    const now = this.now();
    for (const job of this.jobs.values()) {
      if (job.status !== 'IN_PROGRESS') continue;
      if (job.activeOrder === undefined && job.activationAt <= now) this.activateGroup(job, now);
      if (job.groupActivatedAt !== undefined && now - job.groupActivatedAt > job.availableMs) this.expire(job.id);
    }
  }

  sign(jobId: string, signerNumber: number): void {
    const { job, signer } = this.activeSigner(jobId, signerNumber);
    const now = this.now();
    signer.status = 'SIGNED';
    signer.since = now;
    signer.xades = signerXades(this.sealOrFallback(), job.documents, now);
    job.lastSignedAt = now;
    const group = job.signers.filter((s) => s.order === job.activeOrder);
    if (group.every((s) => s.status === 'SIGNED')) {
      const later = job.signers.filter((s) => s.order > (job.activeOrder ?? 0));
      if (later.length === 0) job.status = 'COMPLETED_SUCCESSFULLY';
      else this.activateGroup(job, now);
    }
    this.enqueue(job);
  }

  reject(jobId: string, signerNumber: number): void {
    this.setSignerStatus(jobId, signerNumber, 'REJECTED');
  }

  /** Any signer status, including ones Posten may add in the future (clients must tolerate those). */
  setSignerStatus(jobId: string, signerNumber: number, status: string): void {
    const { job, signer } = this.activeSigner(jobId, signerNumber);
    const now = this.now();
    signer.status = status;
    signer.since = now;
    if (FAILURE_STATUSES.has(status)) {
      for (const s of job.signers) {
        if (s !== signer && s.status === 'WAITING') {
          s.status = 'NOT_APPLICABLE';
          s.since = now;
        }
      }
      job.status = 'FAILED';
    }
    this.enqueue(job);
  }

  expire(jobId: string): void {
    const job = this.requireJob(jobId);
    if (job.status !== 'IN_PROGRESS') throw new SimulatorError(409, 'JOB_FINISHED', 'job already finished');
    const now = this.now();
    for (const s of job.signers) {
      if (s.status !== 'WAITING') continue;
      s.status = s.order === job.activeOrder || job.activeOrder === undefined ? 'EXPIRED' : 'NOT_APPLICABLE';
      s.since = now;
    }
    job.status = 'FAILED';
    this.enqueue(job);
  }

  cancel(jobId: string): void {
    const job = this.requireJob(jobId);
    if (job.status !== 'IN_PROGRESS' || job.finalized) {
      throw new SimulatorError(409, 'JOB_CANNOT_BE_CANCELLED', 'The job has already ended and cannot be cancelled');
    }
    const now = this.now();
    for (const s of job.signers) {
      if (s.status === 'WAITING') {
        s.status = 'CANCELLED';
        s.since = now;
      }
    }
    job.status = 'FAILED';
    this.stats.cancels++;
    this.enqueue(job);
  }

  /** GET on a queue: 200 with a delivery, 204, or a too-early error carrying the permitted time. */
  poll(sender: string, queue: string): { delivery?: Delivery; nextPermittedAt: number } {
    const key = `${sender}|${queue}`;
    const now = this.now();
    const permitted = this.nextPoll.get(key) ?? 0;
    if (now < permitted) {
      this.stats.tooEarlyPolls++;
      throw new TooEarly(permitted);
    }
    this.stats.polls++;
    this.stats.pollTimes.push(now);
    if (this.stats.pollTimes.length > 1000) this.stats.pollTimes.shift();
    this.requeueExpiredLeases(now);
    const entries = this.queues.get(key) ?? [];
    const entry = entries.shift();
    if (!entry) {
      const next = now + this.rules.emptyQueuePollDelayMs;
      this.nextPoll.set(key, next);
      return { nextPermittedAt: next };
    }
    this.nextPoll.set(key, now);
    const job = this.requireJob(entry.jobId);
    const previous = entry.redelivery !== undefined ? this.deliveries.get(entry.redelivery) : undefined;
    if (previous) this.stats.redeliveries++;
    const delivery: Delivery = {
      id: this.nextDeliveryId++,
      jobId: job.id,
      snapshot: previous ? previous.snapshot : (entry.snapshot ?? this.snapshot(job, now)),
      leasedUntil: now + this.rules.redeliveryMs,
      confirmations: 0,
      requeued: false,
    };
    this.deliveries.set(delivery.id, delivery);
    this.stats.changesDelivered++;
    return { delivery, nextPermittedAt: now };
  }

  /**
   * POST to the job's confirmation URL. The URL names the job, not a change, so what it acknowledges is the
   * `confirmScope` rule: the oldest fetched, unconfirmed change of the job, or every one of them. A confirmation with
   * nothing left to acknowledge is a duplicate (answered 2xx, counted). Acknowledging a final change finalises the job.
   */
  confirm(jobId: string): void {
    const job = this.requireJob(jobId);
    this.stats.confirms++;
    const open = [...this.deliveries.values()].filter((d) => d.jobId === jobId && d.confirmations === 0);
    if (open.length === 0) {
      this.stats.duplicateConfirms++;
      const last = [...this.deliveries.values()].filter((d) => d.jobId === jobId).at(-1);
      if (last) last.confirmations++;
      return;
    }
    const acknowledged = this.rules.confirmScope === 'all-fetched' ? open : open.slice(0, 1);
    this.stats.newerChangesConfirmed += acknowledged.length - 1;
    for (const delivery of acknowledged) {
      delivery.confirmations++;
      // A confirmation that arrives after the lease ran out still counts: drop the pending redelivery.
      for (const entries of this.queues.values()) {
        const i = entries.findIndex((e) => e.redelivery === delivery.id);
        if (i >= 0) entries.splice(i, 1);
      }
      if (delivery.snapshot.status !== 'IN_PROGRESS' && job.status !== 'IN_PROGRESS' && !job.finalized) {
        job.finalized = true;
        if (job.status === 'COMPLETED_SUCCESSFULLY' && !job.padesDownloadedAfterEnd) this.stats.finalizedWithoutPades++;
      }
    }
  }

  /**
   * Delivers the job's last fetched change once more although it was confirmed: what a client sees when its
   * confirmation reached Posten only after the change had been put back on the queue, or was lost on the way.
   * Whether Posten drops a put-back change on a late confirmation is UNVERIFIED (`confirm` drops one still queued);
   * this lets tests reach the case where the change comes back after its owner has finished.
   */
  redeliverLastChange(jobId: string): void {
    const job = this.requireJob(jobId);
    const last = [...this.deliveries.values()].filter((d) => d.jobId === jobId).at(-1);
    if (!last) throw new SimulatorError(409, 'NOTHING_DELIVERED', 'no change of this job has been delivered yet');
    const key = `${job.sender}|${job.queue}`;
    const entries = this.queues.get(key) ?? [];
    this.queues.set(key, entries);
    if (!entries.some((e) => e.redelivery === last.id)) entries.push({ jobId: job.id, redelivery: last.id });
  }

  /** Every delivery of a job with how often it was confirmed (oldest first). */
  deliveriesOf(jobId: string): { id: number; confirmations: number }[] {
    return [...this.deliveries.values()]
      .filter((d) => d.jobId === jobId)
      .map((d) => ({ id: d.id, confirmations: d.confirmations }));
  }

  xades(jobId: string, signerNumber: number): Buffer {
    const job = this.readableJob(jobId);
    const signer = job.signers.find((s) => s.number === signerNumber);
    if (!signer?.xades) throw new SimulatorError(404, 'NOT_FOUND', 'no XAdES for this signer');
    this.stats.downloads++;
    return signer.xades;
  }

  pades(jobId: string): Buffer {
    const job = this.readableJob(jobId);
    const signatures = job.signers.flatMap((s) =>
      s.xades ? [{ signerNumber: s.number, signedAt: s.since, xades: s.xades }] : [],
    );
    if (signatures.length === 0) throw new SimulatorError(404, 'NOT_FOUND', 'nobody has signed yet');
    this.stats.downloads++;
    if (job.status !== 'IN_PROGRESS') job.padesDownloadedAfterEnd = true;
    return signedPades(this.sealOrFallback(), { jobId: job.id, documents: job.documents, signatures });
  }

  deleteDocuments(jobId: string): void {
    const job = this.readableJob(jobId);
    if (!this.deletable(job, this.now())) {
      throw new SimulatorError(
        403,
        'DOCUMENTS_CANNOT_BE_DELETED',
        'documents can be deleted 24 h after the last signature',
      );
    }
    job.documentsDeleted = true;
  }

  queueLength(sender: string, queue: string): number {
    return this.queues.get(`${sender}|${queue}`)?.length ?? 0;
  }

  unconfirmedDeliveries(): number {
    return [...this.deliveries.values()].filter((d) => d.confirmations === 0 && !d.requeued).length;
  }

  requireJob(jobId: string): SimJob {
    const job = this.jobs.get(jobId);
    if (!job) throw new SimulatorError(404, 'NOT_FOUND', 'no such signature job');
    return job;
  }

  private readableJob(jobId: string): SimJob {
    const job = this.requireJob(jobId);
    if ((job.finalized && !this.rules.longTermStorage) || job.documentsDeleted) {
      throw new SimulatorError(404, 'NOT_FOUND', 'the job has been finalized and its documents deleted');
    }
    return job;
  }

  private activeSigner(jobId: string, signerNumber: number): { job: SimJob; signer: SimSigner } {
    const job = this.requireJob(jobId);
    const signer = job.signers.find((s) => s.number === signerNumber);
    if (!signer) throw new SimulatorError(404, 'NOT_FOUND', 'no such signer');
    if (job.status !== 'IN_PROGRESS') throw new SimulatorError(409, 'JOB_FINISHED', 'job already finished');
    if (signer.order !== job.activeOrder) throw new SimulatorError(409, 'NOT_ACTIVE', 'signer is not active yet');
    if (signer.status !== 'WAITING') throw new SimulatorError(409, 'ALREADY_RESOLVED', 'signer already resolved');
    return { job, signer };
  }

  private activateGroup(job: SimJob, now: number): void {
    const next = job.signers
      .map((s) => s.order)
      .filter((o) => job.activeOrder === undefined || o > job.activeOrder)
      .sort((a, b) => a - b)[0];
    if (next === undefined) return;
    job.activeOrder = next;
    job.groupActivatedAt = now;
    this.scheduleAutopilot(job);
  }

  private scheduleAutopilot(job: SimJob): void {
    if (this.autopilot.mode === 'off') return;
    const group = job.signers.filter((s) => s.order === job.activeOrder && s.status === 'WAITING');
    group.forEach((signer, i) => {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          try {
            if (this.autopilot.mode === 'reject' && signer.number === 1) this.reject(job.id, signer.number);
            else if (this.autopilot.mode !== 'off') this.sign(job.id, signer.number);
          } catch {
            // The job moved on (cancelled, rejected, expired): nothing to do.
          }
        },
        this.autopilot.delayMs * (i + 1),
      );
      timer.unref();
      this.timers.add(timer);
    });
  }

  private enqueue(job: SimJob): void {
    const key = `${job.sender}|${job.queue}`;
    let entries = this.queues.get(key);
    if (!entries) {
      entries = [];
      this.queues.set(key, entries);
    }
    if (this.rules.changeQueue === 'every-change') {
      entries.push({ jobId: job.id, snapshot: this.snapshot(job, this.now()) });
      return;
    }
    const queued = entries.find((e) => e.jobId === job.id);
    // One pending entry per job: a newer state replaces a queued redelivery of an older one.
    if (queued) delete queued.redelivery;
    else entries.push({ jobId: job.id });
  }

  private requeueExpiredLeases(now: number): void {
    for (const d of this.deliveries.values()) {
      if (d.confirmations > 0 || d.requeued || d.leasedUntil > now) continue;
      d.requeued = true;
      const job = this.jobs.get(d.jobId);
      if (!job) continue;
      const key = `${job.sender}|${job.queue}`;
      const entries = this.queues.get(key) ?? [];
      this.queues.set(key, entries);
      // Every change comes back on an `every-change` queue; on a `latest-per-job` one a newer change for the job
      // already waiting supersedes the old one.
      if (this.rules.changeQueue === 'every-change' || !entries.some((e) => e.jobId === job.id)) {
        entries.push({ jobId: job.id, redelivery: d.id });
      }
    }
  }

  private snapshot(job: SimJob, now: number): JobSnapshot {
    return {
      status: job.status,
      signers: job.signers.map((s) => ({ number: s.number, status: s.status, since: s.since, signed: !!s.xades })),
      cancellable: job.status === 'IN_PROGRESS',
      deletable: this.deletable(job, now),
    };
  }

  private deletable(job: SimJob, now: number): boolean {
    return (
      job.status === 'COMPLETED_SUCCESSFULLY' &&
      job.lastSignedAt !== undefined &&
      now - job.lastSignedAt >= this.rules.deleteDocumentsAfterMs
    );
  }
}

export class TooEarly extends Error {
  constructor(readonly nextPermittedAt: number) {
    super('too early');
  }
}
