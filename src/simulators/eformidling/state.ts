import { rm } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { request } from 'undici';
import type { MessageStatus, ServiceIdentifier } from '../../contract/eformidling';
import { defaultTransportLimitBytes } from '../../contract/eformidling';
import type { Logger } from '../../logging/logger';
import { defaultParticipants, progressionFor, type Outcome, type Participant } from './directory';
import { badRequest, ipTime } from './http-util';

export interface StoredFile {
  fileName: string;
  title?: string;
  mediaType: string;
  size: number;
  path: string;
}

export interface OutboxMessage {
  messageId: string;
  conversationId: string;
  sbd: Record<string, unknown>;
  serviceIdentifier: ServiceIdentifier;
  documentType: string;
  receiverId?: string;
  files: StoredFile[];
  expiry: number;
  sending: boolean;
}

export interface StatusRow {
  id: number;
  lastUpdate: string;
  status: MessageStatus;
  description?: string;
  convId: number;
  conversationId: string;
  messageId: string;
}

export interface ConversationRow {
  id: number;
  conversationId: string;
  messageId: string;
  direction: 'OUTGOING' | 'INCOMING';
  serviceIdentifier: ServiceIdentifier;
  senderIdentifier?: string;
  receiverIdentifier?: string;
  processIdentifier?: string;
  documentType?: string;
  finished: boolean;
  expiry: number;
  outcome: Outcome;
  statuses: StatusRow[];
  timers: NodeJS.Timeout[];
}

export interface InboxEntry {
  messageId: string;
  conversationId: string;
  sbd: Record<string, unknown>;
  asicPath?: string;
  asicSize: number;
  serviceIdentifier: ServiceIdentifier;
  process?: string;
  senderIdentifier?: string;
  receiverIdentifier?: string;
  lastUpdated: number;
  lockedUntil?: number;
  expiry: number;
}

export interface SubscriptionRow {
  id: number;
  name: string;
  pushEndpoint: string;
  resource: string;
  event: string;
  filter?: string;
}

export interface SimSettings {
  /** Delay between two transport statuses. */
  stepDelayMs: number;
  lockTimeoutMs: number;
  expiryCheckMs: number;
  /** Services whose statuses go to the status queue (the IP's default is none). */
  statusQueueIncludes: ServiceIdentifier[];
  enabledServices: ServiceIdentifier[];
  /** Fault: swallow webhook pushes (they are best-effort in the real IP too). */
  dropWebhooks: boolean;
  /** Fault: read PUT bodies at most this fast (0 = unthrottled). */
  uploadThrottleBytesPerSecond: number;
  transportLimitBytes: Record<string, number>;
  /**
   * Time the IP's internal queue takes before transport reports the first status (SENDT). The real IP's transport
   * retries with backoff (20 s, ×3, up to 1 h) while a receiver's side is down, so a sent message can sit in the
   * outbox with only OPPRETTET for a long time.
   */
  transportStartDelayMs: number;
  /**
   * What a second `POST /api/messages/out/{id}` of a message still in the outbox leads to. The IP enqueues it again
   * (`NextMoveMessageService.sendMessage` → `InternalQueue.enqueueNextMove`): the copy is either handed to transport a
   * second time (`deliver-again`, the receiver gets it twice) or, because the first copy's transport deleted the files,
   * fails, is retried and ends in the dead-letter queue, which registers `FEIL` (`fail-in-transport`, possibly after
   * `LEVERT`). Both happen at the real IP depending on timing.
   */
  duplicateSend: DuplicateSendBehaviour;
  defaultTtlMs: number;
  defaultPersonOutcome: Outcome;
}

export type DuplicateSendBehaviour = 'deliver-again' | 'fail-in-transport';

export interface SimStats {
  capabilityLookups: number;
  creates: Record<string, number>;
  multipartPosts: number;
  uploads: number;
  uploadsAborted: number;
  sends: number;
  /** Sends of a message that was already enqueued (each is a second copy in the IP's queue). */
  duplicateSends: number;
  /** Per messageId: how often a copy was handed to transport (the receiver got it this many times). */
  handovers: Record<string, number>;
  /** Subscription pings, and those answered 4xx/5xx (the create or update failed). */
  pings: number;
  pingsRefused: number;
  peeks: number;
  pops: number;
  incomingDeletes: number;
  notLockedRejections: number;
  duplicateIncomingDropped: number;
  webhooksSent: number;
  webhooksFailed: number;
  statusQueueDeletes: number;
  /** Every request to the IP's API (not the control API): tests prove "no partner call" with it. */
  apiRequests: number;
}

const EXPIRED_TEXT = 'Levetiden for meldingen er utgått. Må sendes på nytt';
/** `DeadLetterQueueHandler.handleNextMoveMessage`'s description. */
const DEAD_LETTER_TEXT = 'Failed to deliver message - check raw receipt';
const FINISHING: MessageStatus[] = ['LEVERT', 'LEST', 'FEIL', 'LEVETID_UTLOPT', 'INNKOMMENDE_LEVERT'];

/** What the simulated IP keeps in its database across a restart. */
export interface EformidlingSimSnapshot {
  outbox: Map<string, OutboxMessage>;
  conversations: Omit<ConversationRow, 'timers'>[];
  inbox: Map<string, InboxEntry>;
  statusQueue: StatusRow[];
  subscriptions: Map<number, SubscriptionRow>;
  participants: Record<string, Participant>;
  outcomeOverrides: Map<string, Outcome>;
  stats: SimStats;
  nextStatusId: number;
  nextConversationId: number;
  nextSubscriptionId: number;
}

/** The integrasjonspunkt's database and transport, in memory (files on disk). */
export class SimState {
  readonly outbox = new Map<string, OutboxMessage>();
  readonly conversations: ConversationRow[] = [];
  readonly inbox = new Map<string, InboxEntry>();
  readonly statusQueue: StatusRow[] = [];
  readonly subscriptions = new Map<number, SubscriptionRow>();
  participants: Record<string, Participant>;
  readonly outcomeOverrides = new Map<string, Outcome>();
  readonly stats: SimStats = {
    capabilityLookups: 0,
    creates: {},
    multipartPosts: 0,
    uploads: 0,
    uploadsAborted: 0,
    sends: 0,
    duplicateSends: 0,
    handovers: {},
    pings: 0,
    pingsRefused: 0,
    peeks: 0,
    pops: 0,
    incomingDeletes: 0,
    notLockedRejections: 0,
    duplicateIncomingDropped: 0,
    webhooksSent: 0,
    webhooksFailed: 0,
    statusQueueDeletes: 0,
    apiRequests: 0,
  };
  uploadsInProgress = 0;
  private nextStatusId = 1;
  private nextConversationId = 1;
  private nextSubscriptionId = 1;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    readonly settings: SimSettings,
    readonly ownOrganisation: string,
    private readonly logger: Logger,
  ) {
    this.participants = defaultParticipants(ownOrganisation);
    this.scheduleExpiryJob();
  }

  static defaultSettings(): SimSettings {
    return {
      stepDelayMs: 300,
      lockTimeoutMs: 5 * 60_000,
      expiryCheckMs: 30_000,
      statusQueueIncludes: [],
      enabledServices: ['DPO', 'DPF', 'DPV', 'DPI', 'DPE', 'DPH', 'DPFIO'],
      dropWebhooks: false,
      uploadThrottleBytesPerSecond: 0,
      transportLimitBytes: { ...defaultTransportLimitBytes },
      transportStartDelayMs: 0,
      duplicateSend: 'deliver-again',
      defaultTtlMs: 24 * 3600_000,
      defaultPersonOutcome: 'delivered',
    };
  }

  scheduleExpiryJob(): void {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.expiryTimer = setInterval(() => this.runExpiryJob(), this.settings.expiryCheckMs);
    this.expiryTimer.unref();
  }

  /** The IP's expiry job: unfinished conversations past their deadline get LEVETID_UTLOPT; expired inbox entries go. */
  runExpiryJob(now = Date.now()): void {
    for (const conv of this.conversations) {
      if (!conv.finished && conv.direction === 'OUTGOING' && conv.expiry <= now) {
        conv.timers.forEach(clearTimeout);
        conv.timers = [];
        this.addStatus(conv, 'LEVETID_UTLOPT', EXPIRED_TEXT);
        const queued = this.outbox.get(conv.messageId);
        if (queued) void this.dropOutbox(queued);
      }
    }
    for (const entry of this.inbox.values()) {
      if (entry.expiry <= now) {
        this.inbox.delete(entry.messageId);
        const conv = this.findConversation(entry.messageId, 'INCOMING');
        if (conv) this.addStatus(conv, 'LEVETID_UTLOPT', EXPIRED_TEXT);
      }
    }
  }

  findConversation(messageId: string, direction?: 'OUTGOING' | 'INCOMING'): ConversationRow | undefined {
    return this.conversations.find((c) => c.messageId === messageId && (!direction || c.direction === direction));
  }

  outcomeFor(messageId: string, receiverId: string | undefined): Outcome {
    const override = this.outcomeOverrides.get(messageId);
    if (override) return override;
    const bare = receiverId?.replace(/^0192:/, '');
    if (bare && this.participants[bare]) return this.participants[bare].outcome;
    return bare && /^\d{11}$/.test(bare) ? this.settings.defaultPersonOutcome : 'delivered';
  }

  createConversation(fields: Omit<ConversationRow, 'id' | 'statuses' | 'timers' | 'finished'>): ConversationRow {
    const conv: ConversationRow = {
      ...fields,
      id: this.nextConversationId++,
      statuses: [],
      timers: [],
      finished: false,
    };
    this.conversations.push(conv);
    return conv;
  }

  /** Registers a status: history, finished flag, status queue, webhooks. */
  addStatus(conv: ConversationRow, status: MessageStatus, description?: string): StatusRow {
    const row: StatusRow = {
      id: this.nextStatusId++,
      lastUpdate: ipTime(),
      status,
      description,
      convId: conv.id,
      conversationId: conv.conversationId,
      messageId: conv.messageId,
    };
    conv.statuses.push(row);
    if (FINISHING.includes(status)) conv.finished = true;
    if (this.settings.statusQueueIncludes.includes(conv.serviceIdentifier)) this.statusQueue.push(row);
    this.fireWebhooks(conv, row);
    return row;
  }

  /**
   * `POST /api/messages/out/{id}` was accepted: the IP enqueues the message for its transport. It does so on every
   * accepted send, so a second send of a message still in the outbox puts a second copy in the queue.
   */
  enqueueSend(message: OutboxMessage, conv: ConversationRow): void {
    this.stats.sends++;
    if (!message.sending) {
      message.sending = true;
      this.startTransport(message, conv);
      return;
    }
    this.stats.duplicateSends++;
    const steps = progressionFor(conv.serviceIdentifier, conv.outcome).length;
    if (this.settings.duplicateSend === 'deliver-again') {
      this.later(conv, this.settings.transportStartDelayMs + this.settings.stepDelayMs, () => this.handOver(conv));
    } else {
      // The copy finds its files deleted by the first copy's transport; after the queue's retries it is dead-lettered.
      this.later(conv, this.settings.transportStartDelayMs + (steps + 1) * this.settings.stepDelayMs, () =>
        this.addStatus(conv, 'FEIL', DEAD_LETTER_TEXT),
      );
    }
  }

  /** Walks the transport's status sequence with the configured delays (also after a restart, from `alreadyApplied`). */
  startTransport(message: OutboxMessage | undefined, conv: ConversationRow, alreadyApplied = 0): void {
    const steps = progressionFor(conv.serviceIdentifier, conv.outcome);
    let delay = alreadyApplied === 0 ? this.settings.transportStartDelayMs : 0;
    steps.forEach((status, index) => {
      if (index < alreadyApplied) return;
      delay += this.settings.stepDelayMs;
      this.later(conv, delay, () => {
        if (conv.finished && status !== 'LEST' && status !== 'FEIL') return;
        if (index === 0) {
          this.handOver(conv);
          // The outbox row is deleted once the message has been handed to transport (`NextMoveSender.send`).
          if (message) void this.dropOutbox(message);
          return;
        }
        this.addStatus(conv, status as MessageStatus, status === 'FEIL' ? 'Simulert feil i transport' : undefined);
      });
    });
  }

  /** One copy reaches the receiver's side: SENDT is registered for it (`NextMoveSender.send`). */
  private handOver(conv: ConversationRow): void {
    this.stats.handovers[conv.messageId] = (this.stats.handovers[conv.messageId] ?? 0) + 1;
    this.addStatus(conv, 'SENDT');
  }

  private later(conv: ConversationRow, delayMs: number, action: () => void): void {
    const timer = setTimeout(action, delayMs);
    timer.unref();
    conv.timers.push(timer);
  }

  /** A create rolled back (the multipart create's transaction): no outbox row, no conversation, no status. */
  undoCreate(message: OutboxMessage): void {
    this.outbox.delete(message.messageId);
    const index = this.conversations.findIndex((c) => c.messageId === message.messageId && c.direction === 'OUTGOING');
    if (index >= 0) this.conversations.splice(index, 1);
  }

  async dropOutbox(message: OutboxMessage): Promise<void> {
    this.outbox.delete(message.messageId);
    await Promise.all(message.files.map((f) => rm(f.path, { force: true })));
  }

  private fireWebhooks(conv: ConversationRow, row: StatusRow): void {
    const event = {
      createdTs: ipTime(),
      resource: 'messages',
      event: 'status',
      messageId: row.messageId,
      conversationId: row.conversationId,
      direction: conv.direction,
      serviceIdentifier: conv.serviceIdentifier,
      status: row.status,
      description: row.description,
    };
    for (const sub of this.subscriptions.values()) {
      if (sub.event !== 'all' && sub.event !== 'status') continue;
      if (
        !filterMatches(sub.filter, {
          status: row.status,
          serviceIdentifier: conv.serviceIdentifier,
          direction: conv.direction,
        })
      )
        continue;
      this.push(sub.pushEndpoint, event);
    }
  }

  /** One asynchronous POST, 10 s timeouts, no retry, response ignored — like the IP. */
  push(endpoint: string, event: Record<string, unknown>): void {
    if (this.settings.dropWebhooks) return;
    const p = request(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event, (_k, v: unknown) => (v === null ? undefined : v)),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    })
      .then(async (res) => {
        await res.body.dump();
        this.stats.webhooksSent++;
      })
      .catch((err: unknown) => {
        this.stats.webhooksFailed++;
        this.logger.debug('webhook push failed', { error: (err as Error).name });
      })
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /**
   * The synchronous ping before a subscription is saved (`SubscriptionServiceImpl` → `WebhookPusher.ping` →
   * `UrlPusher.push`): a 4xx/5xx answer fails the request with 400 `WebhookPushEndpointPingFailedException`; a
   * connection error (`ResourceAccessException`) is only logged and the subscription is saved anyway.
   */
  async ping(endpoint: string): Promise<void> {
    this.stats.pings++;
    if (this.settings.dropWebhooks) return;
    let status: number;
    try {
      const res = await request(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ createdTs: ipTime(), event: 'ping' }),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      await res.body.dump();
      status = res.statusCode;
    } catch (err) {
      this.logger.debug('webhook ping failed', { error: (err as Error).name });
      return;
    }
    if (status >= 400) {
      this.stats.pingsRefused++;
      throw badRequest(
        'WebhookPushEndpointPingFailedException',
        `Ping failed with: ${status} ${STATUS_CODES[status] ?? ''}.`.replace(' .', '.'),
      );
    }
  }

  addSubscription(sub: Omit<SubscriptionRow, 'id'>): SubscriptionRow {
    const row = { ...sub, id: this.nextSubscriptionId++ };
    this.subscriptions.set(row.id, row);
    return row;
  }

  /** The IP's database as persisted across restarts (see ../persistence.ts); transport timers are not state. */
  exportState(): EformidlingSimSnapshot {
    return {
      outbox: this.outbox,
      conversations: this.conversations.map(({ timers: _timers, ...row }) => row),
      inbox: this.inbox,
      statusQueue: this.statusQueue,
      subscriptions: this.subscriptions,
      participants: this.participants,
      outcomeOverrides: this.outcomeOverrides,
      stats: this.stats,
      nextStatusId: this.nextStatusId,
      nextConversationId: this.nextConversationId,
      nextSubscriptionId: this.nextSubscriptionId,
    };
  }

  /**
   * Takes over an earlier run's database. Messages that were in transport when the IP stopped continue from the
   * status they had reached (the real IP's transport resumes from its queue after a restart).
   */
  importState(saved: EformidlingSimSnapshot): void {
    for (const [k, v] of saved.outbox) this.outbox.set(k, v);
    for (const row of saved.conversations) this.conversations.push({ ...row, timers: [] });
    for (const [k, v] of saved.inbox) this.inbox.set(k, v);
    this.statusQueue.push(...saved.statusQueue);
    for (const [k, v] of saved.subscriptions) this.subscriptions.set(k, v);
    this.participants = saved.participants;
    for (const [k, v] of saved.outcomeOverrides) this.outcomeOverrides.set(k, v);
    Object.assign(this.stats, saved.stats);
    this.nextStatusId = saved.nextStatusId;
    this.nextConversationId = saved.nextConversationId;
    this.nextSubscriptionId = saved.nextSubscriptionId;
    for (const conv of this.conversations) {
      if (conv.finished || conv.direction !== 'OUTGOING') continue;
      const steps = progressionFor(conv.serviceIdentifier, conv.outcome);
      let applied = 0;
      while (applied < steps.length && conv.statuses.some((r) => r.status === steps[applied])) applied++;
      const message = this.outbox.get(conv.messageId);
      // Sent before the stop: the outbox row was handed to transport (or is about to be).
      if (applied > 0 || message?.sending) this.startTransport(message, conv, applied);
    }
  }

  async stop(): Promise<void> {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    for (const conv of this.conversations) conv.timers.forEach(clearTimeout);
    await Promise.allSettled([...this.pending]);
  }
}

/** `status=LEVERT,FEIL&direction=OUTGOING`: OR within a key, AND across keys, case-insensitive. */
export function filterMatches(filter: string | undefined, values: Record<string, string>): boolean {
  if (!filter) return true;
  for (const [key, list] of new URLSearchParams(filter)) {
    const wanted = list.split(',').map((v) => v.trim().toUpperCase());
    if (!wanted.includes(String(values[key] ?? '').toUpperCase())) return false;
  }
  return true;
}

export const validWebhookFilterKeys = ['status', 'serviceIdentifier', 'direction'];
