import { isBlobRef } from '../blob-ref';
import { CALLER_ID } from '../documents/caller-id';
import type { InputProblem } from '../failure-types';
import { checkDuration, checkInteger, checkKeySegment, InputProblems, isRecord } from '../input-rules';
import { containsNationalIdentityNumber } from '../personal-data';
import { digitalMessageProblems, transportFileProblems, transportOfDocumentType } from './file-rules';
import {
  documentTypesWithoutFiles,
  isDocumentType,
  isMessageStatus,
  isServiceIdentifier,
  messageStatuses,
} from './types';

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ORGANISATION_NUMBER = /^\d{9}$/;
const PERSON_NUMBER = /^\d{11}$/;
// Offset required: a deadline without a zone would be read in the IP's zone, which the caller does not control.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const SAFE_FILE_NAME = /^[^/\\\0\r\n"]{1,255}$/;
const PROCESS_URN = /^urn:[a-z0-9:._-]{1,250}$/i;
const DAY_MS = 86_400_000;

/**
 * Bounds of the caller's intervals: a poll never runs more often than every 100 ms (the committed replay histories
 * poll that fast against the simulator) and never waits longer than a day; `0 seconds` and unparsable strings are
 * refused, so no input turns tracking or an inbox into a tight loop.
 */
export const eformidlingIntervalBounds = { minMs: 100, maxMs: DAY_MS };

/** Workflow-side facts a validator needs and a caller cannot forge. */
export interface ValidationContext {
  /** Workflow time (epoch ms). */
  nowMs: number;
  /** True when this run was continued as new by the workflow itself (carried state is then allowed). */
  continued: boolean;
}

function checkUuid(problems: InputProblems, path: string, value: unknown, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || !UUID.test(value)) problems.add(path, 'must be a UUID');
}

function checkIsoDateTime(problems: InputProblems, path: string, value: unknown): number | undefined {
  const at = typeof value === 'string' && ISO_WITH_OFFSET.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) {
    problems.add(path, 'must be an ISO-8601 date-time with offset');
    return undefined;
  }
  return at;
}

/** Free text that ends up in a summary, the UI or a key must not carry a national identity number. */
function checkNoIdentityNumber(problems: InputProblems, path: string, value: unknown): void {
  if (typeof value === 'string' && containsNationalIdentityNumber(value))
    problems.add(path, 'looks like a national identity number; use an opaque reference instead (personal data)');
}

function checkText(problems: InputProblems, path: string, value: unknown, max: number, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    problems.add(path, `must be 1-${max} characters`);
}

function carriedStateProblem(problems: InputProblems, path: string, ctx: ValidationContext, value: unknown): boolean {
  if (value === undefined) return false;
  if (!ctx.continued) {
    problems.add(path, 'is carried state, set only by the workflow itself when it continues as new');
    return false;
  }
  return true;
}

/**
 * Every rule Ferje can check without the IP, so bad input fails before anything is sent. Problems name the field and
 * the rule, never the value (values may be personal data). `nowMs` bounds the deadline.
 */
export function validateOutgoingMessage(input: unknown, nowMs: number): InputProblem[] {
  return validateOutgoingWorkflowInput(input, { nowMs, continued: false });
}

/** The whole workflow input, including the continuation a caller could forge. */
export function validateOutgoingWorkflowInput(input: unknown, ctx: ValidationContext): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkUuid(problems, '/messageId', input.messageId);
  checkUuid(problems, '/conversationId', input.conversationId, true);
  checkSender(problems, input.sender);
  const receiverKind = checkReceiver(problems, input.receiver);
  if (typeof input.process !== 'string' || !PROCESS_URN.test(input.process))
    problems.add('/process', 'must be a process URN');
  else checkNoIdentityNumber(problems, '/process', input.process);
  if (!isDocumentType(input.documentType)) problems.add('/documentType', 'is not a document type the IP knows');
  if (!isRecord(input.businessMessage)) problems.add('/businessMessage', 'must be an object');
  if (input.securityLevel !== undefined && input.securityLevel !== 3 && input.securityLevel !== 4)
    problems.add('/securityLevel', 'must be 3 or 4');
  if (input.serviceIdentifier !== undefined && !isServiceIdentifier(input.serviceIdentifier))
    problems.add('/serviceIdentifier', 'is not a service identifier');
  if (input.settleOn !== undefined && input.settleOn !== 'LEVERT' && input.settleOn !== 'LEST')
    problems.add('/settleOn', 'must be LEVERT or LEST');
  checkDuration(problems, '/listenAfterDelivery', input.listenAfterDelivery, {
    minMs: 0,
    maxMs: 90 * DAY_MS,
    optional: true,
  });
  checkDuration(problems, '/awaitReadFor', input.awaitReadFor, { minMs: 0, maxMs: 365 * DAY_MS, optional: true });
  if (input.tracking !== undefined) {
    if (!isRecord(input.tracking)) problems.add('/tracking', 'must be an object');
    else {
      const bounds = { ...eformidlingIntervalBounds, optional: true };
      checkDuration(problems, '/tracking/pollInitialInterval', input.tracking.pollInitialInterval, bounds);
      checkDuration(problems, '/tracking/pollMaxInterval', input.tracking.pollMaxInterval, bounds);
      checkDuration(problems, '/tracking/sendEvidenceWindow', input.tracking.sendEvidenceWindow, bounds);
    }
  }
  if (input.expectedResponseDateTime !== undefined) {
    const at = checkIsoDateTime(problems, '/expectedResponseDateTime', input.expectedResponseDateTime);
    // A continued run tracks past the deadline (listening after delivery): only a first run must be in time.
    if (at !== undefined && at <= ctx.nowMs && !ctx.continued)
      problems.add('/expectedResponseDateTime', 'must be in the future');
  }
  checkText(problems, '/senderReference', input.senderReference, 255);
  checkText(problems, '/receiverReference', input.receiverReference, 255);
  checkFiles(problems, input, receiverKind);
  if (carriedStateProblem(problems, '/continuation', ctx, input.continuation))
    checkContinuation(problems, input.continuation);
  return problems.list;
}

function checkSender(problems: InputProblems, sender: unknown): void {
  if (sender === undefined) return;
  if (!isRecord(sender)) return problems.add('/sender', 'must be an object');
  if (typeof sender.organisationNumber !== 'string' || !ORGANISATION_NUMBER.test(sender.organisationNumber))
    problems.add('/sender/organisationNumber', 'must be 9 digits');
  if (
    sender.onBehalfOf !== undefined &&
    (typeof sender.onBehalfOf !== 'string' || !ORGANISATION_NUMBER.test(sender.onBehalfOf))
  )
    problems.add('/sender/onBehalfOf', 'must be 9 digits');
}

function checkReceiver(problems: InputProblems, receiver: unknown): string | undefined {
  if (!isRecord(receiver)) {
    problems.add('/receiver', 'is required (an object)');
    return undefined;
  }
  if (receiver.kind === 'organisation') {
    if (typeof receiver.organisationNumber !== 'string' || !ORGANISATION_NUMBER.test(receiver.organisationNumber))
      problems.add('/receiver/organisationNumber', 'must be 9 digits');
  } else if (receiver.kind === 'person') {
    if (
      typeof receiver.personalIdentificationNumber !== 'string' ||
      !PERSON_NUMBER.test(receiver.personalIdentificationNumber)
    )
      problems.add('/receiver/personalIdentificationNumber', 'must be 11 digits');
  } else if (receiver.kind === 'fiksIo') checkUuid(problems, '/receiver/accountId', receiver.accountId);
  else problems.add('/receiver/kind', 'must be organisation, person or fiksIo');
  return typeof receiver.kind === 'string' ? receiver.kind : undefined;
}

function checkFiles(problems: InputProblems, input: Record<string, unknown>, receiverKind: string | undefined): void {
  if (!Array.isArray(input.files)) return problems.add('/files', 'must be an array');
  if (input.files.length > 1000) return problems.add('/files', 'must have at most 1000 files');
  const names = new Set<string>();
  input.files.forEach((file: unknown, i) => {
    if (!isRecord(file)) return problems.add(`/files/${i}`, 'must be an object');
    if (!isBlobRef(file.blob)) problems.add(`/files/${i}/blob`, 'must be a BlobRef');
    if (typeof file.fileName !== 'string' || !SAFE_FILE_NAME.test(file.fileName))
      problems.add(`/files/${i}/fileName`, 'must be 1-255 characters without / \\ " or line breaks');
    else if (names.has(file.fileName)) problems.add(`/files/${i}/fileName`, 'is used by another file of the message');
    else names.add(file.fileName);
    if (
      file.title !== undefined &&
      (typeof file.title !== 'string' || file.title.length > 255 || /[\r\n"]/.test(file.title))
    )
      problems.add(`/files/${i}/title`, 'must be at most 255 characters without " or line breaks');
    if (
      file.mediaType !== undefined &&
      (typeof file.mediaType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(file.mediaType))
    )
      problems.add(`/files/${i}/mediaType`, 'must be a MIME type');
  });
  if (!isDocumentType(input.documentType)) return;
  const needsFiles = !documentTypesWithoutFiles.includes(input.documentType);
  if (needsFiles && input.files.length === 0) problems.add('/files', `${input.documentType} needs at least one file`);
  if (input.documentType === 'arkivmelding' && !names.has('arkivmelding.xml'))
    problems.add('/files', 'arkivmelding needs a file named arkivmelding.xml');
  const primary = isRecord(input.businessMessage) ? input.businessMessage.hoveddokument : undefined;
  if (primary !== undefined && (typeof primary !== 'string' || !names.has(primary)))
    problems.add('/businessMessage/hoveddokument', 'must name one of the files');
  if ((input.documentType === 'digital' || input.documentType === 'print') && primary === undefined)
    problems.add('/businessMessage/hoveddokument', `is required for ${input.documentType}`);
  if (input.documentType === 'digital' && receiverKind !== 'person')
    problems.add('/receiver', 'digital post (DPI) goes to a person');
  if (input.documentType === 'digital')
    for (const p of digitalMessageProblems(input.businessMessage)) problems.add(p.path, p.problem);
  const files = input.files.map((f: unknown) => (isRecord(f) ? f : {}));
  const transport =
    transportOfDocumentType(input.documentType) ??
    (typeof input.serviceIdentifier === 'string' ? input.serviceIdentifier : undefined);
  for (const p of transportFileProblems(files, input.documentType, input.businessMessage, transport))
    problems.add(p.path, p.problem);
}

const STATUS_SOURCES = ['poll', 'webhook', 'status-queue', 'send'];
const MAX_STATUSES = 200;

function checkStatusEntries(problems: InputProblems, path: string, value: unknown): void {
  if (!Array.isArray(value) || value.length > MAX_STATUSES)
    return problems.add(path, `must be an array of at most ${MAX_STATUSES} statuses`);
  value.forEach((entry: unknown, i) => {
    if (!isRecord(entry) || !isMessageStatus(entry.status) || !STATUS_SOURCES.includes(String(entry.source)))
      return problems.add(`${path}/${i}`, `must be a status entry (status one of ${messageStatuses.join(', ')})`);
    if (typeof entry.at !== 'string' || entry.at.length > 64 || Number.isNaN(Date.parse(entry.at)))
      problems.add(`${path}/${i}/at`, 'must be a date-time');
    checkInteger(problems, `${path}/${i}/id`, entry.id, { min: 0, max: Number.MAX_SAFE_INTEGER, optional: true });
    checkText(problems, `${path}/${i}/description`, entry.description, 500);
  });
}

function checkContinuation(problems: InputProblems, value: unknown): void {
  if (!isRecord(value)) return problems.add('/continuation', 'must be an object');
  if (!isServiceIdentifier(value.serviceIdentifier) || value.serviceIdentifier === 'UNKNOWN')
    problems.add('/continuation/serviceIdentifier', 'must be a service identifier');
  if (value.sendMode !== 'one-step' && value.sendMode !== 'multi-step')
    problems.add('/continuation/sendMode', 'must be one-step or multi-step');
  if (typeof value.resumedExisting !== 'boolean') problems.add('/continuation/resumedExisting', 'must be a boolean');
  checkStatusEntries(problems, '/continuation/statuses', value.statuses);
  checkIsoDateTime(problems, '/continuation/deadline', value.deadline);
  checkInteger(problems, '/continuation/deliveredSeenAt', value.deliveredSeenAt, {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    optional: true,
  });
  checkInteger(problems, '/continuation/pollIntervalMs', value.pollIntervalMs, {
    min: eformidlingIntervalBounds.minMs,
    max: eformidlingIntervalBounds.maxMs,
  });
}

/** A status hint (signal argument): from the webhook route or the status-queue reader. */
export function validateStatusHint(hint: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(hint)) return [{ path: '', problem: 'must be an object' }];
  if (!isMessageStatus(hint.status)) problems.add('/status', 'must be a message status');
  if (hint.source !== 'webhook' && hint.source !== 'status-queue')
    problems.add('/source', 'must be webhook or status-queue');
  checkInteger(problems, '/id', hint.id, { min: 0, max: Number.MAX_SAFE_INTEGER, optional: true });
  if (hint.at !== undefined) checkIsoDateTime(problems, '/at', hint.at);
  checkText(problems, '/description', hint.description, 500);
  return problems.list;
}

/** An incoming hint (signal argument): "something arrived". */
export function validateIncomingHint(hint: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(hint)) return [{ path: '', problem: 'must be an object' }];
  checkText(problems, '/messageId', hint.messageId, 128);
  checkText(problems, '/status', hint.status, 64);
  return problems.list;
}

export function validateWebhookStatus(status: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(status)) return [{ path: '', problem: 'must be an object' }];
  if (status.state !== 'active' && status.state !== 'refused' && status.state !== 'unavailable')
    problems.add('/state', 'must be active, refused or unavailable');
  checkText(problems, '/reason', status.reason, 500);
  checkIsoDateTime(problems, '/at', status.at);
  checkNoIdentityNumber(problems, '/reason', status.reason);
  return problems.list;
}

function checkFilter(problems: InputProblems, filter: unknown): void {
  if (filter === undefined) return;
  if (!isRecord(filter)) return problems.add('/filter', 'must be an object');
  const known = ['serviceIdentifier', 'process', 'senderIdentifier', 'receiverIdentifier', 'conversationId'];
  for (const key of Object.keys(filter)) if (!known.includes(key)) problems.add(`/filter/${key}`, 'is not a filter');
  // The IP reads this filter with `ServiceIdentifier.valueOf` (a 500 for anything else); its enum has no DPFIO.
  if (
    filter.serviceIdentifier !== undefined &&
    (!isServiceIdentifier(filter.serviceIdentifier) || filter.serviceIdentifier === 'DPFIO')
  )
    problems.add('/filter/serviceIdentifier', 'must be one of DPO, DPV, DPI, DPF, DPE, DPH, UNKNOWN');
  if (filter.process !== undefined && (typeof filter.process !== 'string' || !PROCESS_URN.test(filter.process)))
    problems.add('/filter/process', 'must be a process URN');
  checkUuid(problems, '/filter/conversationId', filter.conversationId, true);
  // The filter is shown in the inbox's details (the UI): identifiers are organisations, never persons.
  for (const key of ['process', 'senderIdentifier', 'receiverIdentifier'] as const) {
    checkText(problems, `/filter/${key}`, filter[key], 255);
    checkNoIdentityNumber(problems, `/filter/${key}`, filter[key]);
  }
}

function checkConsumer(problems: InputProblems, consumer: unknown): void {
  if (!isRecord(consumer)) return problems.add('/consumer', 'is required (an object)');
  checkKeySegment(problems, '/consumer/workflowType', consumer.workflowType);
  if (consumer.kind === 'child') {
    checkKeySegment(problems, '/consumer/taskQueue', consumer.taskQueue, { optional: true });
    checkKeySegment(problems, '/consumer/workflowIdPrefix', consumer.workflowIdPrefix, { optional: true });
  } else if (consumer.kind === 'signalWithStart') {
    checkKeySegment(problems, '/consumer/taskQueue', consumer.taskQueue);
    checkKeySegment(problems, '/consumer/signal', consumer.signal);
    checkKeySegment(problems, '/consumer/workflowIdPrefix', consumer.workflowIdPrefix);
    if (consumer.keyBy !== undefined && consumer.keyBy !== 'messageId' && consumer.keyBy !== 'conversationId')
      problems.add('/consumer/keyBy', 'must be messageId or conversationId');
  } else problems.add('/consumer/kind', 'must be child or signalWithStart');
  if (consumer.callerId !== undefined && (typeof consumer.callerId !== 'string' || !CALLER_ID.test(consumer.callerId)))
    problems.add('/consumer/callerId', `must be a caller id (${CALLER_ID.source})`);
}

/** Bounds of the inbox's remembered messageIds (carried through continue-as-new). */
export const INBOX_REMEMBERED = 5000;

function checkTotals(problems: InputProblems, path: string, value: unknown, keys: readonly string[]): void {
  if (!isRecord(value)) return problems.add(path, 'must be an object');
  for (const key of keys)
    checkInteger(problems, `${path}/${key}`, value[key], { min: 0, max: Number.MAX_SAFE_INTEGER });
}

export function validateInboxInput(input: unknown, ctx: ValidationContext): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkKeySegment(problems, '/inboxName', input.inboxName);
  checkFilter(problems, input.filter);
  checkConsumer(problems, input.consumer);
  checkDuration(problems, '/pollInterval', input.pollInterval, { ...eformidlingIntervalBounds, optional: true });
  if (carriedStateProblem(problems, '/handedRecently', ctx, input.handedRecently)) {
    const handed = input.handedRecently;
    if (!Array.isArray(handed) || handed.length > INBOX_REMEMBERED || !handed.every((id) => typeof id === 'string'))
      problems.add('/handedRecently', `must be at most ${INBOX_REMEMBERED} messageIds`);
  }
  if (carriedStateProblem(problems, '/totals', ctx, input.totals))
    checkTotals(problems, '/totals', input.totals, ['handed', 'duplicatesDropped', 'lockRenewals']);
  return problems.list;
}

export function validateStatusQueueReaderInput(input: unknown, ctx: ValidationContext): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkDuration(problems, '/pollInterval', input.pollInterval, { ...eformidlingIntervalBounds, optional: true });
  checkInteger(problems, '/batchSize', input.batchSize, { min: 1, max: 1000, optional: true });
  checkKeySegment(problems, '/ipName', input.ipName, { optional: true });
  if (carriedStateProblem(problems, '/totals', ctx, input.totals))
    checkTotals(problems, '/totals', input.totals, ['dispatched', 'withoutWorkflow']);
  return problems.list;
}

/** What the inbox hands to a consumer (the default consumer's input). */
export function validateIncomingDelivery(input: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkKeySegment(problems, '/messageId', input.messageId);
  checkUuid(problems, '/conversationId', input.conversationId, true);
  checkKeySegment(problems, '/inboxName', input.inboxName);
  checkKeySegment(problems, '/documentType', input.documentType, { optional: true, maxLength: 64 });
  checkText(problems, '/process', input.process, 255);
  checkText(problems, '/senderIdentifier', input.senderIdentifier, 255);
  if (!isRecord(input.sbd)) problems.add('/sbd', 'must be an object');
  if (!isBlobRef(input.sbdBlob)) problems.add('/sbdBlob', 'must be a BlobRef');
  if (input.asic !== undefined && !isBlobRef(input.asic)) problems.add('/asic', 'must be a BlobRef');
  checkIsoDateTime(problems, '/receivedAt', input.receivedAt);
  return problems.list;
}
