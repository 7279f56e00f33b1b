import type { InputProblem } from '../../contract/failure-types';
import type { Receiver, Sender } from '../../contract/eformidling';
import { documentStandards, isDocumentType, type DocumentType } from '../../contract/eformidling';
import { UUID } from '../../contract/eformidling';
import { SbdValidationError } from './errors';
import type { StandardBusinessDocument } from './model';

const AUTHORITY = 'iso6523-actorid-upis';

/** Everything the StandardBusinessDocument header is made of, in domain terms. */
export interface SbdDescription {
  messageId: string;
  conversationId: string;
  sender?: Sender;
  receiver?: Receiver;
  process: string;
  documentType: DocumentType;
  businessMessage: Record<string, unknown>;
  expectedResponseDateTime?: string;
  senderReference?: string;
  receiverReference?: string;
}

/** Participant identifiers in the IP's form: organisations as `0192:<orgnr>`, persons bare, FIKS IO as the UUID. */
export function receiverIdentifier(receiver: Receiver): string {
  switch (receiver.kind) {
    case 'organisation':
      return `0192:${receiver.organisationNumber}`;
    case 'person':
      return receiver.personalIdentificationNumber;
    case 'fiksIo':
      return receiver.accountId;
  }
}

/** The identifier as the capabilities endpoint takes it (bare numbers). */
export function lookupIdentifier(receiver: Receiver): string {
  return receiver.kind === 'organisation' ? receiver.organisationNumber : receiverIdentifier(receiver);
}

function senderIdentifier(sender: Sender): string {
  return sender.onBehalfOf
    ? `0192:${sender.organisationNumber}:${sender.onBehalfOf}`
    : `0192:${sender.organisationNumber}`;
}

/**
 * Builds the SBD JSON the IP expects; throws SbdValidationError (listing every problem, never a value) before any
 * call is made. The messageId is the `documentIdentification.instanceIdentifier`, the process the ConversationId
 * scope's identifier, and the deadline its `expectedResponseDateTime`.
 */
export function buildSbd(d: SbdDescription): StandardBusinessDocument {
  const problems: InputProblem[] = [];
  if (!UUID.test(d.messageId)) problems.push({ path: '/messageId', problem: 'must be a UUID' });
  if (!UUID.test(d.conversationId)) problems.push({ path: '/conversationId', problem: 'must be a UUID' });
  if (!/^urn:/i.test(d.process)) problems.push({ path: '/process', problem: 'must be a process URN' });
  if (!isDocumentType(d.documentType)) problems.push({ path: '/documentType', problem: 'unknown document type' });
  if (!d.receiver && d.documentType !== 'print') problems.push({ path: '/receiver', problem: 'is required' });
  if (typeof d.businessMessage !== 'object' || d.businessMessage === null)
    problems.push({ path: '/businessMessage', problem: 'must be an object' });
  if (problems.length > 0) throw new SbdValidationError(problems);

  const scopes: StandardBusinessDocument['standardBusinessDocumentHeader']['businessScope']['scope'] = [
    {
      type: 'ConversationId',
      instanceIdentifier: d.conversationId,
      identifier: d.process,
      ...(d.expectedResponseDateTime
        ? { scopeInformation: [{ expectedResponseDateTime: d.expectedResponseDateTime }] }
        : {}),
    },
  ];
  if (d.senderReference)
    scopes.push({ type: 'SenderRef', instanceIdentifier: d.senderReference, identifier: d.process });
  if (d.receiverReference)
    scopes.push({ type: 'ReceiverRef', instanceIdentifier: d.receiverReference, identifier: d.process });

  return {
    standardBusinessDocumentHeader: {
      headerVersion: '1.0',
      ...(d.sender ? { sender: [{ identifier: { value: senderIdentifier(d.sender), authority: AUTHORITY } }] } : {}),
      ...(d.receiver
        ? { receiver: [{ identifier: { value: receiverIdentifier(d.receiver), authority: AUTHORITY } }] }
        : {}),
      documentIdentification: {
        standard: documentStandards[d.documentType],
        typeVersion: '1.0',
        instanceIdentifier: d.messageId,
        type: d.documentType,
      },
      businessScope: { scope: scopes },
    },
    [d.documentType]: d.businessMessage,
  };
}

/** Reads the few header fields Ferje routes on from an SBD the IP returned. */
export function sbdFacts(sbd: StandardBusinessDocument): {
  messageId?: string;
  conversationId?: string;
  documentType?: string;
  process?: string;
  senderIdentifier?: string;
  expectedResponseDateTime?: string;
} {
  const h = sbd?.standardBusinessDocumentHeader;
  const conversation = h?.businessScope?.scope?.find((s) => s.type === 'ConversationId');
  return {
    messageId: h?.documentIdentification?.instanceIdentifier,
    conversationId: conversation?.instanceIdentifier,
    documentType: h?.documentIdentification?.type,
    process: conversation?.identifier,
    senderIdentifier: h?.sender?.[0]?.identifier?.value,
    expectedResponseDateTime: conversation?.scopeInformation?.[0]?.expectedResponseDateTime,
  };
}
