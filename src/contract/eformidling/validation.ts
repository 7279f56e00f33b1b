import { msToNumber } from '@temporalio/common/lib/time';
import { isBlobRef } from '../blob-ref';
import type { InputProblem } from '../failure-types';
import type { OutgoingMessageInput } from './types';
import { documentTypesWithoutFiles, isDocumentType, isServiceIdentifier } from './types';

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ORGANISATION_NUMBER = /^\d{9}$/;
const PERSON_NUMBER = /^\d{11}$/;
// Offset required: a deadline without a zone would be read in the IP's zone, which the caller does not control.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const SAFE_FILE_NAME = /^[^/\\\0\r\n"]{1,255}$/;

/** Temporal duration string or ms number; undefined when invalid. */
export function durationMs(value: string | undefined, fallback: string): number | undefined {
  try {
    const ms = msToNumber(value ?? fallback);
    return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every rule Ferje can check without the IP, so bad input fails before anything is sent. Problems name the field and
 * the rule, never the value (values may be personal data).
 */
export function validateOutgoingMessage(input: OutgoingMessageInput, nowMs: number): InputProblem[] {
  const problems: InputProblem[] = [];
  const add = (path: string, problem: string): void => {
    problems.push({ path, problem });
  };
  if (typeof input !== 'object' || input === null) return [{ path: '', problem: 'must be an object' }];
  if (typeof input.messageId !== 'string' || !UUID.test(input.messageId)) add('/messageId', 'must be a UUID');
  if (
    input.conversationId !== undefined &&
    (typeof input.conversationId !== 'string' || !UUID.test(input.conversationId))
  )
    add('/conversationId', 'must be a UUID');

  if (input.sender !== undefined) {
    if (!ORGANISATION_NUMBER.test(String(input.sender?.organisationNumber)))
      add('/sender/organisationNumber', 'must be 9 digits');
    if (input.sender?.onBehalfOf !== undefined && !ORGANISATION_NUMBER.test(String(input.sender.onBehalfOf)))
      add('/sender/onBehalfOf', 'must be 9 digits');
  }
  const receiver = input.receiver as Record<string, unknown> | undefined;
  if (!receiver || typeof receiver !== 'object') add('/receiver', 'is required');
  else if (receiver.kind === 'organisation') {
    if (!ORGANISATION_NUMBER.test(String(receiver.organisationNumber)))
      add('/receiver/organisationNumber', 'must be 9 digits');
  } else if (receiver.kind === 'person') {
    if (!PERSON_NUMBER.test(String(receiver.personalIdentificationNumber)))
      add('/receiver/personalIdentificationNumber', 'must be 11 digits');
  } else if (receiver.kind === 'fiksIo') {
    if (!UUID.test(String(receiver.accountId))) add('/receiver/accountId', 'must be a UUID');
  } else add('/receiver/kind', 'must be organisation, person or fiksIo');

  if (typeof input.process !== 'string' || !/^urn:[a-z0-9:._-]+$/i.test(input.process))
    add('/process', 'must be a process URN');
  if (!isDocumentType(input.documentType)) add('/documentType', 'is not a document type the IP knows');
  if (
    typeof input.businessMessage !== 'object' ||
    input.businessMessage === null ||
    Array.isArray(input.businessMessage)
  )
    add('/businessMessage', 'must be an object');
  if (input.securityLevel !== undefined && input.securityLevel !== 3 && input.securityLevel !== 4)
    add('/securityLevel', 'must be 3 or 4');
  if (input.serviceIdentifier !== undefined && !isServiceIdentifier(input.serviceIdentifier))
    add('/serviceIdentifier', 'is not a service identifier');
  if (input.settleOn !== undefined && input.settleOn !== 'LEVERT' && input.settleOn !== 'LEST')
    add('/settleOn', 'must be LEVERT or LEST');
  for (const [name, value] of Object.entries({
    listenAfterDelivery: input.listenAfterDelivery,
    awaitReadFor: input.awaitReadFor,
    'tracking/pollInitialInterval': input.tracking?.pollInitialInterval,
    'tracking/pollMaxInterval': input.tracking?.pollMaxInterval,
  })) {
    if (value !== undefined && durationMs(value, '0') === undefined) add(`/${name}`, 'must be a duration');
  }
  if (input.expectedResponseDateTime !== undefined) {
    const at = Date.parse(String(input.expectedResponseDateTime));
    if (!ISO_WITH_OFFSET.test(String(input.expectedResponseDateTime)) || Number.isNaN(at))
      add('/expectedResponseDateTime', 'must be an ISO-8601 date-time with offset');
    else if (at <= nowMs) add('/expectedResponseDateTime', 'must be in the future');
  }
  for (const [name, value] of Object.entries({
    senderReference: input.senderReference,
    receiverReference: input.receiverReference,
  })) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.length > 255))
      add(`/${name}`, 'must be 1-255 characters');
  }

  if (!Array.isArray(input.files)) {
    add('/files', 'must be an array');
    return problems;
  }
  const names = new Set<string>();
  input.files.forEach((file, i) => {
    if (!file || typeof file !== 'object') return add(`/files/${i}`, 'must be an object');
    if (!isBlobRef(file.blob)) add(`/files/${i}/blob`, 'must be a BlobRef');
    if (typeof file.fileName !== 'string' || !SAFE_FILE_NAME.test(file.fileName))
      add(`/files/${i}/fileName`, 'must be 1-255 characters without / \\ " or line breaks');
    else if (names.has(file.fileName)) add(`/files/${i}/fileName`, 'is used by another file of the message');
    else names.add(file.fileName);
    if (
      file.title !== undefined &&
      (typeof file.title !== 'string' || file.title.length > 255 || /[\r\n"]/.test(file.title))
    )
      add(`/files/${i}/title`, 'must be at most 255 characters without " or line breaks');
    if (file.mediaType !== undefined && !/^[\w.+-]+\/[\w.+-]+$/.test(String(file.mediaType)))
      add(`/files/${i}/mediaType`, 'must be a MIME type');
  });
  if (isDocumentType(input.documentType)) {
    const needsFiles = !documentTypesWithoutFiles.includes(input.documentType);
    if (needsFiles && input.files.length === 0) add('/files', `${input.documentType} needs at least one file`);
    if (input.documentType === 'arkivmelding' && !names.has('arkivmelding.xml'))
      add('/files', 'arkivmelding needs a file named arkivmelding.xml');
    const primary = (input.businessMessage as { hoveddokument?: unknown } | undefined)?.hoveddokument;
    if (primary !== undefined && (typeof primary !== 'string' || !names.has(primary)))
      add('/businessMessage/hoveddokument', 'must name one of the files');
    if ((input.documentType === 'digital' || input.documentType === 'print') && primary === undefined)
      add('/businessMessage/hoveddokument', `is required for ${input.documentType}`);
    if (input.documentType === 'digital' && receiver?.kind !== 'person')
      add('/receiver', 'digital post (DPI) goes to a person');
  }
  return problems;
}
