import type { BlobRef } from '../blob-ref';
import type { DocumentType, MessageStatus, ServiceIdentifier } from './statuses';

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
