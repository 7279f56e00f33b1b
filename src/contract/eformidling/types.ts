import type { BlobRef } from '../blob-ref';

/**
 * The integrasjonspunkt's vocabulary (`ReceiptStatus`, service identifiers, document types), exactly as the IP spells
 * it in JSON. Part of the persisted contract: callers branch on these values.
 */
export const messageStatuses = [
  'OPPRETTET',
  'SENDT',
  'MOTTATT',
  'LEVERT',
  'LEST',
  'FEIL',
  'ANNET',
  'INNKOMMENDE_MOTTATT',
  'INNKOMMENDE_LEVERT',
  'LEVETID_UTLOPT',
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && (messageStatuses as readonly string[]).includes(value);
}

/** Transports the IP routes to. `UNKNOWN` appears in capability answers for receivers the registry cannot route. */
export const serviceIdentifiers = ['DPO', 'DPV', 'DPI', 'DPF', 'DPE', 'DPH', 'DPFIO', 'UNKNOWN'] as const;
export type ServiceIdentifier = (typeof serviceIdentifiers)[number];

export function isServiceIdentifier(value: unknown): value is ServiceIdentifier {
  return typeof value === 'string' && (serviceIdentifiers as readonly string[]).includes(value);
}

/** `documentIdentification.type` values and the standard each one belongs to. */
export const documentStandards = {
  arkivmelding: 'urn:no:difi:arkivmelding:xsd::arkivmelding',
  arkivmelding_kvittering: 'urn:no:difi:arkivmelding:xsd::arkivmelding_kvittering',
  status: 'urn:no:difi:eformidling:xsd::status',
  feil: 'urn:no:difi:eformidling:xsd::feil',
  digital: 'urn:no:difi:digitalpost:xsd:digital::digital',
  digital_dpv: 'urn:no:difi:digitalpost:xsd:digital::digital_dpv',
  print: 'urn:no:difi:digitalpost:xsd:fysisk::print',
  innsynskrav: 'urn:no:difi:einnsyn:xsd::innsynskrav',
  publisering: 'urn:no:difi:einnsyn:xsd::publisering',
  einnsyn_kvittering: 'urn:no:difi:einnsyn:xsd::einnsyn_kvittering',
  avtalt: 'urn:no:difi:avtalt:xsd::avtalt',
  dialogmelding: 'urn:no:difi:dialogmelding:xsd::dialogmelding',
  dialogmelding_kvittering: 'urn:no:difi:dialogmelding:xsd::dialogmelding_kvittering',
} as const;
export type DocumentType = keyof typeof documentStandards;

export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(documentStandards, value);
}

/** Types that carry no files (the IP answers 204 on pop and needs no attachment on send). */
export const documentTypesWithoutFiles: readonly DocumentType[] = [
  'status',
  'feil',
  'arkivmelding_kvittering',
  'einnsyn_kvittering',
  'dialogmelding_kvittering',
  'avtalt',
];

/** The largest single file the one-step multipart endpoint accepts (the IP checks each part, not the total). */
export const MULTIPART_MAX_FILE_BYTES = 5 * 1024 * 1024;

const MiB = 1024 * 1024;

/**
 * Per-transport default upload totals of the IP (`difi.move.*.upload-size-limit=50MB` …). They are Spring `DataSize`
 * values, which are binary: `50MB` is 52 428 800 bytes. A total equal to the limit is accepted, one byte more is not
 * (`NextMoveFileSizeValidator`). Deployments may differ.
 */
export const defaultTransportLimitBytes: Record<string, number> = {
  DPO: 1024 * MiB,
  DPF: 1024 * MiB,
  DPV: 250 * MiB,
  DPI: 50 * MiB,
  DPE: 2 * MiB,
  DPH: 18 * MiB,
};

/** Who receives the message. Person and FIKS IO identifiers are personal/opaque data: they live only in payloads. */
export type Receiver =
  | { kind: 'organisation'; organisationNumber: string }
  | { kind: 'person'; personalIdentificationNumber: string }
  | { kind: 'fiksIo'; accountId: string };

export interface Sender {
  /** The sending organisation (9 digits). Defaults to the IP's own organisation. */
  organisationNumber: string;
  /** Send on behalf of another organisation (the IP writes `0192:<own>:<onBehalfOf>`). */
  onBehalfOf?: string;
}

/** A file of the message: the content is in Ferje's blob store, only the reference travels. */
export interface OutgoingFile {
  blob: BlobRef;
  /** The name inside the ASiC container, e.g. `vedtak.pdf` or `arkivmelding.xml`. Unique within the message. */
  fileName: string;
  /** Document title (the multipart part name / PUT disposition name). Required by DPV and for DPI attachments. */
  title?: string;
  /** MIME type; defaults to the blob's media type, then to a guess from the file name. */
  mediaType?: string;
}

export interface TrackingOptions {
  /** First wait between status polls (Temporal duration string). Default `10 seconds`. */
  pollInitialInterval?: string;
  /** Longest wait between polls while nothing changes (backoff ×2). Default `15 minutes`. */
  pollMaxInterval?: string;
  /**
   * After a send whose answer never came (lost connection, timeout), how long to look for the IP's evidence that it
   * took the send (a status after OPPRETTET, or the message gone from the outbox) before concluding that it never
   * arrived and sending again. The IP's transport hands a message over within seconds when the receiver's side is
   * up, and retries after 20 s, 1 min, 3 min, 9 min when it is not. Default `15 minutes`.
   */
  sendEvidenceWindow?: string;
}

/**
 * One outgoing message, described in domain terms. Ferje builds the StandardBusinessDocument from it, so callers do
 * not need to know the SBD's JSON shape (the business message itself is passed as the IP expects it).
 */
export interface OutgoingMessageInput {
  /**
   * The message's identity (UUID), chosen by the caller BEFORE starting and stored with the case: it is the
   * workflow's business key, so a repeated start with the same messageId never sends twice.
   */
  messageId: string;
  /** UUID of the conversation; defaults to the messageId (a new conversation). */
  conversationId?: string;
  sender?: Sender;
  receiver: Receiver;
  /** Process URN, e.g. `urn:no:difi:profile:arkivmelding:administrasjon:ver1.0`. */
  process: string;
  documentType: DocumentType;
  /** The business message (the SBD's sibling of the header, e.g. the `arkivmelding` object). */
  businessMessage: Record<string, unknown>;
  files: OutgoingFile[];
  /** Delivery deadline (ISO-8601 with offset). Default: 24 hours after the workflow starts. Bounds the wait. */
  expectedResponseDateTime?: string;
  /** 3 or 4; passed to the capability lookup (DPI/KRR, SvarUt). */
  securityLevel?: 3 | 4;
  /** Insist on one transport (e.g. `DPO`); without it the first capability that fits is used. */
  serviceIdentifier?: ServiceIdentifier;
  /** The caller's own references, sent as `SenderRef`/`ReceiverRef` scopes. */
  senderReference?: string;
  receiverReference?: string;
  /** `LEVERT` (default): settled when delivered. `LEST`: wait for the read receipt too (see awaitReadFor). */
  settleOn?: 'LEVERT' | 'LEST';
  /**
   * After `LEVERT`, keep listening this long for a late `LEST` or `FEIL` (print can fail after delivery) before the
   * result is given. Default `0 seconds`: the result comes at `LEVERT`.
   */
  listenAfterDelivery?: string;
  /** With settleOn `LEST`: how long to wait for it after `LEVERT`. Default `30 days`. */
  awaitReadFor?: string;
  tracking?: TrackingOptions;
}

/** One status of the message as Ferje saw it. */
export interface StatusEntry {
  status: MessageStatus;
  /** When the IP registered it (ISO), or when Ferje heard of it if the source gave no time. */
  at: string;
  description?: string;
  /** The IP's status id (absent for webhook hints). */
  id?: number;
  source: 'poll' | 'webhook' | 'status-queue' | 'send';
}

export type SendMode = 'one-step' | 'multi-step';

export interface OutgoingMessageResult {
  messageId: string;
  conversationId: string;
  serviceIdentifier: ServiceIdentifier;
  sendMode: SendMode;
  finalStatus: 'LEVERT' | 'LEST';
  /** settleOn `LEST` but no read receipt came within awaitReadFor: delivered, not (yet) read. */
  readReceiptTimedOut?: boolean;
  /** True when a retry/restart found the message already at the IP and continued from there. */
  resumedExisting: boolean;
  statuses: StatusEntry[];
}

/** A status heard outside the message workflow's own polling (webhook or status queue). */
export interface StatusHint {
  status: MessageStatus;
  description?: string;
  /** The IP's status id when known (status queue). */
  id?: number;
  at?: string;
  source: 'webhook' | 'status-queue';
}

export type OutgoingPhase =
  | 'validating'
  | 'capabilities'
  | 'sending'
  | 'uploading'
  | 'confirming-send'
  | 'tracking'
  | 'listening-after-delivery'
  | 'settled'
  | 'failed';

/** Answer of the `eformidlingMessageState` query: a plain snapshot, no personal data. */
export interface OutgoingMessageState {
  messageId: string;
  phase: OutgoingPhase;
  serviceIdentifier?: ServiceIdentifier;
  sendMode?: SendMode;
  filesUploaded: number;
  filesTotal: number;
  resumedExisting: boolean;
  lastStatus?: MessageStatus;
  statuses: StatusEntry[];
  nextPollAt?: string;
  deadline: string;
  /** Settling statuses a hint claimed but the IP's record did not show (forged or mistaken webhooks): ignored. */
  refutedHints?: number;
  /** Signals whose argument was not a status hint: ignored and counted. */
  ignoredSignals?: number;
  /** Sends whose answer never came; each was followed by a look for the IP's evidence (see sendEvidenceWindow). */
  sendsWithUnknownOutcome?: number;
  /** Sends repeated because the IP showed no evidence of the earlier one within the window. */
  resends?: number;
}

/** State carried through continue-as-new while tracking (long lifetimes). */
export interface OutgoingContinuation {
  serviceIdentifier: ServiceIdentifier;
  sendMode: SendMode;
  resumedExisting: boolean;
  statuses: StatusEntry[];
  deadline: string;
  /** Workflow time (epoch ms) when LEVERT was first seen. */
  deliveredSeenAt?: number;
  pollIntervalMs: number;
}

export interface OutgoingMessageWorkflowInput extends OutgoingMessageInput {
  /** Set only by the workflow itself when it continues as new. */
  continuation?: OutgoingContinuation;
}

/** Peek filters of `GET /api/messages/in/peek` (AND-ed). Consumers sharing one IP must use disjoint filters. */
export interface InboxFilter {
  serviceIdentifier?: ServiceIdentifier;
  process?: string;
  senderIdentifier?: string;
  receiverIdentifier?: string;
  conversationId?: string;
}

/**
 * Where the inbox hands each stored message.
 * - `child`: starts `workflowType` as a child with ID `<workflowIdPrefix>/<messageId>` (abandoned on inbox close, so
 *   it outlives continue-as-new). The ID makes a second hand-over of the same messageId impossible.
 * - `signalWithStart`: signal-with-starts the caller's own `workflowType` with ID `<workflowIdPrefix>/<messageId>`
 *   (or the conversationId when `keyBy` is `conversationId`, so replies join their conversation's workflow).
 *
 * `callerId` names the calling system that consumes the messages (its documents API caller id): the consumer flow
 * carries it as FerjeCaller, so that system reads the message's SBD and ASiC through the documents API.
 */
export type IncomingConsumer =
  | { kind: 'child'; workflowType: string; taskQueue?: string; workflowIdPrefix?: string; callerId?: string }
  | {
      kind: 'signalWithStart';
      workflowType: string;
      taskQueue: string;
      signal: string;
      workflowIdPrefix: string;
      keyBy?: 'messageId' | 'conversationId';
      callerId?: string;
    };

export interface InboxInput {
  /** Names the inbox in its workflow ID (`eformidling-inbox/<inboxName>`); one per IP and filter. */
  inboxName: string;
  filter?: InboxFilter;
  consumer: IncomingConsumer;
  /** Wait between peeks when the inbox is empty (a webhook hint cuts it short). Default `30 seconds`. */
  pollInterval?: string;
  /** Carried through continue-as-new: messageIds handed over recently (bounded), to drop redeliveries. */
  handedRecently?: string[];
  totals?: InboxTotals;
}

export interface InboxTotals {
  handed: number;
  duplicatesDropped: number;
  lockRenewals: number;
}

/** What the consumer receives: the SBD and the stored ASiC, by reference. */
export interface IncomingDelivery {
  messageId: string;
  conversationId?: string;
  inboxName: string;
  /** A DocumentType value; kept as string because an IP may deliver types newer than this contract. */
  documentType?: string;
  process?: string;
  /** The sender's identifier as in the SBD (an organisation number, `0192:` form). */
  senderIdentifier?: string;
  /** The StandardBusinessDocument exactly as the IP returned it on peek. */
  sbd: Record<string, unknown>;
  /** The SBD as stored in the blob store (the same JSON), for consumers that archive it. */
  sbdBlob: BlobRef;
  /** The ASiC-E container; absent for message types without payload (receipts: the IP answers 204 on pop). */
  asic?: BlobRef;
  receivedAt: string;
}

export interface InboxState {
  inboxName: string;
  phase: 'peeking' | 'handing-over' | 'acknowledging' | 'waiting';
  current?: string;
  totals: InboxTotals;
  recentlyHanded: number;
  /** Signals whose argument was not an incoming hint: ignored and counted. */
  ignoredSignals?: number;
  /** Whether the IP pushes webhooks to Ferje, as the last worker start found out (absent: not told yet). */
  webhooks?: WebhookSubscriptionStatus;
}

/**
 * The state of Ferje's webhook subscription at the IP, told to the inboxes at worker start. `refused`: the IP's ping
 * of the push endpoint got a 4xx/5xx answer, so the IP refused the subscription (400
 * `WebhookPushEndpointPingFailedException`); `unavailable`: the IP could not be asked. Either way the inbox and the
 * message workflows keep polling; webhooks only make them faster.
 */
export interface WebhookSubscriptionStatus {
  state: 'active' | 'refused' | 'unavailable';
  /** Short, for operators: exception names and HTTP statuses, never the endpoint (it carries a secret token). */
  reason?: string;
  at: string;
}

/** Result of the store-and-record consumer. */
export interface StoredIncoming {
  messageId: string;
  conversationId?: string;
  documentType?: string;
  asic?: BlobRef;
  sbdBlob: BlobRef;
  /** Entries of the ASiC container (names are document names: payload only, never logged). */
  documents: { name: string; size: number }[];
  /** True when the journal already had this messageId (a redelivery): recorded once only. */
  alreadyRecorded: boolean;
}

export interface StatusQueueReaderInput {
  /** Names the IP in the reader's workflow ID (`eformidling-status-queue/<ipName>`). Default `default`. */
  ipName?: string;
  /** Wait between drains when the queue is empty. Default `10 seconds`. */
  pollInterval?: string;
  /** Statuses per activity (one heartbeating drain). Default 100. */
  batchSize?: number;
  /** Carried through continue-as-new only (refused on a first run). */
  totals?: StatusQueueReaderTotals;
}

export interface StatusQueueReaderTotals {
  dispatched: number;
  withoutWorkflow: number;
}

export interface IncomingHint {
  messageId?: string;
  status?: string;
}

/** `FerjeStatus` values of `eformidlingOutgoingMessage`: its phases' labels, then the IP's own statuses. */
export type OutgoingMessageStatus =
  | 'CHECKING_CAPABILITIES'
  | 'SENDING'
  | 'UPLOADING'
  | 'CONFIRMING_SEND'
  | 'NO_CAPABILITY'
  | 'TOO_LARGE'
  | 'INVALID_INPUT'
  | 'REJECTED'
  | MessageStatus;
/** `FerjeStatus` of `eformidlingInbox` (long-lived). */
export type InboxStatus = 'RUNNING';
/** `FerjeStatus` of `eformidlingStatusQueueReader` (long-lived). */
export type StatusQueueReaderStatus = 'RUNNING';
/** `FerjeStatus` of `eformidlingStoreIncoming` once the delivery is in the journal. */
export type StoreIncomingStatus = 'RECORDED';
