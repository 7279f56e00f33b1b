import type { BlobRef } from '../blob-ref';
import type { ServiceIdentifier } from './statuses';

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
 */
export type IncomingConsumer =
  | { kind: 'child'; workflowType: string; taskQueue?: string; workflowIdPrefix?: string }
  | {
      kind: 'signalWithStart';
      workflowType: string;
      taskQueue: string;
      signal: string;
      workflowIdPrefix: string;
      keyBy?: 'messageId' | 'conversationId';
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
  /** Wait between drains when the queue is empty. Default `10 seconds`. */
  pollInterval?: string;
  /** Statuses per activity (one heartbeating drain). Default 100. */
  batchSize?: number;
  totals?: { dispatched: number; withoutWorkflow: number };
}

export interface IncomingHint {
  messageId?: string;
  status?: string;
}
