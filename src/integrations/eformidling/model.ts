import type { MessageStatus, ServiceIdentifier } from '../../contract/eformidling';

/** Spring Data `Page` as the IP serialises it. */
export interface Page<T> {
  content: T[];
  totalElements: number;
  totalPages: number;
  last: boolean;
  first: boolean;
  size: number;
  number: number;
  numberOfElements: number;
  empty: boolean;
}

export interface DocumentTypeInfo {
  type: string;
  standard: string;
}

export interface Capability {
  process: string;
  serviceIdentifier: ServiceIdentifier;
  documentTypes: DocumentTypeInfo[];
  postAddress?: Record<string, string>;
  returnAddress?: Record<string, string>;
  digitalPostAddress?: { supplier?: string; address?: string };
}

export interface MessageStatusDto {
  id: number;
  lastUpdate: string;
  status: MessageStatus;
  description?: string;
  convId?: number;
  conversationId?: string;
  messageId?: string;
  rawReceipt?: string;
}

export interface Conversation {
  id: number;
  conversationId?: string;
  messageId: string;
  processIdentifier?: string;
  finished?: boolean;
  expiry?: string;
  direction?: 'OUTGOING' | 'INCOMING';
  serviceIdentifier?: ServiceIdentifier;
  messageStatuses?: { id: number; lastUpdate: string; status: MessageStatus; description?: string }[];
}

export interface Subscription {
  id?: number;
  name: string;
  pushEndpoint: string;
  resource: 'all' | 'messages';
  event: 'all' | 'status';
  filter?: string;
}

/** The SBD as JSON; only the parts Ferje reads are typed. */
export interface StandardBusinessDocument {
  standardBusinessDocumentHeader: {
    headerVersion?: string;
    sender?: { identifier: { value: string; authority?: string } }[];
    receiver?: { identifier: { value: string; authority?: string } }[];
    documentIdentification: {
      standard: string;
      typeVersion: string;
      instanceIdentifier?: string;
      type: string;
      creationDateAndTime?: string;
    };
    businessScope: {
      scope: {
        type: string;
        instanceIdentifier?: string;
        identifier?: string;
        scopeInformation?: { expectedResponseDateTime?: string }[];
      }[];
    };
  };
  [businessMessage: string]: unknown;
}

export interface StatusSearch {
  id?: number;
  messageId?: string;
  conversationId?: string;
  status?: MessageStatus;
  fromDateTime?: string;
  toDateTime?: string;
}

/** Webhook event bodies the IP POSTs. */
export type WebhookEvent =
  | { event: 'ping'; createdTs?: string }
  | {
      event: 'status';
      resource?: string;
      createdTs?: string;
      messageId: string;
      conversationId?: string;
      direction: 'INCOMING' | 'OUTGOING';
      serviceIdentifier?: string;
      status: MessageStatus;
      description?: string;
    };
