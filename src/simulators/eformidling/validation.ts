import { readFile } from 'node:fs/promises';
import type { ServiceIdentifier } from '../../contract/eformidling';
import { documentTypesWithoutFiles, isDocumentType } from '../../contract/eformidling';
import { capabilitiesFor } from './directory';
import { checkMetadataFiles } from './file-rules';
import { badRequest, constraintViolation, SimError, type FieldProblem } from './http-util';
import type { OutboxMessage, SimState } from './state';

interface Header {
  headerVersion?: string;
  sender?: { identifier?: { value?: string } }[];
  receiver?: { identifier?: { value?: string } }[];
  documentIdentification?: {
    standard?: string;
    typeVersion?: string;
    instanceIdentifier?: string;
    type?: string;
    creationDateAndTime?: string;
  };
  businessScope?: {
    scope?: {
      type?: string;
      instanceIdentifier?: string;
      identifier?: string;
      scopeInformation?: { expectedResponseDateTime?: string }[];
    }[];
  };
}

export interface AcceptedSbd {
  sbd: Record<string, unknown>;
  messageId: string;
  conversationId: string;
  documentType: string;
  process: string;
  receiverId?: string;
  serviceIdentifier: ServiceIdentifier;
  expiry: number;
}

const beanError = (field: string, code: string, message: string): SimError =>
  new SimError(400, 'MethodArgumentNotValidException', `Validation failed for object='standardBusinessDocument'`, [
    { field, code, defaultMessage: message, objectName: 'standardBusinessDocument' },
  ]);

/**
 * `Asserter.isValid(sbd, group)` for DPI `digital` (`DpiDigitalMessage`): the fields it requires, as one
 * `ConstraintViolationException` listing every violation (property paths under the SBD's `any`).
 */
function checkDigital(business: Record<string, unknown>): void {
  const problems: FieldProblem[] = [];
  const notNull = (field: string) =>
    problems.push({ field: `any.${field}`, code: 'NotNull', defaultMessage: 'must not be null' });
  if (business.sikkerhetsnivaa === undefined || business.sikkerhetsnivaa === null) notNull('sikkerhetsnivaa');
  if (typeof business.tittel !== 'string') notNull('tittel');
  if (typeof business.spraak !== 'string') notNull('spraak');
  const info = business.digitalPostInfo as Record<string, unknown> | undefined;
  if (typeof info !== 'object' || info === null) notNull('digitalPostInfo');
  else {
    if (info.virkningsdato === undefined || info.virkningsdato === null) notNull('digitalPostInfo.virkningsdato');
    if (typeof info.aapningskvittering !== 'boolean') notNull('digitalPostInfo.aapningskvittering');
  }
  if (problems.length > 0) throw constraintViolation(problems);
}

/** Create-time rules (§3c): bean validation, defaults, duplicates, routing. Fills defaults into the SBD like the IP. */
export function acceptSbd(state: SimState, raw: unknown, newId: () => string): AcceptedSbd {
  if (typeof raw !== 'object' || raw === null)
    throw beanError('standardBusinessDocumentHeader', 'NotNull', 'must not be null');
  const sbd = raw as Record<string, unknown>;
  const h = sbd.standardBusinessDocumentHeader as Header | undefined;
  if (!h) throw beanError('standardBusinessDocumentHeader', 'NotNull', 'must not be null');
  if (h.headerVersion !== '1.0')
    throw beanError('standardBusinessDocumentHeader.headerVersion', 'NotNull', 'must be 1.0');
  const di = h.documentIdentification;
  if (!di?.standard || !di.typeVersion || !di.type)
    throw beanError(
      'standardBusinessDocumentHeader.documentIdentification',
      'NotNull',
      'standard, typeVersion and type are required',
    );
  if (!isDocumentType(di.type)) throw badRequest('UnknownMessageTypeException', `Unknown message type: ${di.type}`);
  if (!di.standard.endsWith(`::${di.type}`))
    throw badRequest(
      'MessageTypeDoesNotFitDocumentTypeException',
      `Message type ${di.type} does not fit document type ${di.standard}`,
    );
  if ((h.sender?.length ?? 0) > 1 || (h.receiver?.length ?? 0) > 1)
    throw beanError('standardBusinessDocumentHeader.receiver', 'Size', 'at most one');
  const receiverId = h.receiver?.[0]?.identifier?.value;
  if (!receiverId && di.type !== 'print')
    throw beanError('standardBusinessDocumentHeader.receiver', 'NotNull', 'must not be null');
  const scope = h.businessScope?.scope?.find((s) => s.type === 'ConversationId');
  if (!scope?.identifier)
    throw beanError('standardBusinessDocumentHeader.businessScope', 'NotNull', 'process is required');
  if (!(di.type in sbd)) throw beanError(di.type, 'NotNull', 'business message must not be null');
  if (di.type === 'digital') checkDigital((sbd.digital ?? {}) as Record<string, unknown>);

  const messageId = di.instanceIdentifier ?? newId();
  if (state.outbox.has(messageId) || state.findConversation(messageId))
    throw badRequest('MessageAlreadyExistsException', `Message with messageId = ${messageId} already exists`);

  const deadline = scope.scopeInformation?.[0]?.expectedResponseDateTime;
  let expiry = Date.now() + state.settings.defaultTtlMs;
  if (deadline !== undefined) {
    expiry = Date.parse(deadline);
    if (Number.isNaN(expiry)) throw beanError('expectedResponseDateTime', 'typeMismatch', 'not a date-time');
    if (expiry <= Date.now()) throw beanError('expectedResponseDateTime', 'InFuture', 'must be in the future');
  }

  const found = capabilitiesFor(receiverId ?? '', state.participants, state.settings.defaultPersonOutcome);
  const capability = found?.capabilities.find(
    (c) => c.process === scope.identifier && c.documentTypes.some((d) => d.type === di.type),
  );
  if (!found || !found.capabilities.some((c) => c.process === scope.identifier))
    throw badRequest('ReceiverDoesNotAcceptProcessException', `Receiver does not accept process ${scope.identifier}`);
  if (!capability)
    throw badRequest('ReceiverDoesNotAcceptDocumentType', `Receiver does not accept document type ${di.type}`);
  if (!state.settings.enabledServices.includes(capability.serviceIdentifier))
    throw badRequest('ServiceNotEnabledException', `Service ${capability.serviceIdentifier} is not enabled`);

  const conversationId = scope.instanceIdentifier ?? newId();
  // Echo with the defaults filled in, as the IP does.
  di.instanceIdentifier = messageId;
  di.creationDateAndTime ??= new Date().toISOString();
  scope.instanceIdentifier = conversationId;
  scope.scopeInformation = [{ expectedResponseDateTime: new Date(expiry).toISOString() }];
  h.sender ??= [{ identifier: { value: `0192:${state.ownOrganisation}` } }];
  return {
    sbd,
    messageId,
    conversationId,
    documentType: di.type,
    process: scope.identifier,
    receiverId,
    serviceIdentifier: capability.serviceIdentifier,
    expiry,
  };
}

/**
 * Send-time rules, in the order of `NextMoveValidator.validate(NextMoveOutMessage)`: files present, lifetime (the caller
 * registers LEVETID_UTLOPT), arkivmelding references, `metadataFiler` files, the DPI primary document. Titles and
 * totals are checked when each file is added (file-rules.ts), not here.
 */
export async function validateForSend(state: SimState, message: OutboxMessage, onExpired: () => void): Promise<void> {
  const type = message.documentType as (typeof documentTypesWithoutFiles)[number];
  if (!documentTypesWithoutFiles.includes(type) && message.files.length === 0)
    throw badRequest('MissingFileException', 'There must always be at least one attachment');
  if (message.expiry <= Date.now()) {
    onExpired();
    throw badRequest(
      'TimeToLiveException',
      `ExpectedResponseDateTime ${new Date(message.expiry).toISOString()} has been exceeded. Please resend the message`,
    );
  }
  if (message.documentType === 'arkivmelding') {
    const xml = message.files.find((f) => f.fileName === 'arkivmelding.xml');
    if (!xml) throw badRequest('MissingArkivmeldingException', 'DPO message type requires arkivmelding.xml attachment');
    const text = await readFile(xml.path, 'utf8');
    const referenced = [...text.matchAll(/<(?:\w+:)?referanseDokumentfil>\s*([^<]+?)\s*<\//g)].map((m) => m[1]);
    const missing = referenced.filter((name) => !message.files.some((f) => f.fileName === name));
    if (missing.length > 0)
      throw badRequest(
        'MissingArkivmeldingFileException',
        `File(s) defined in arkivmelding, but not found in message: ${missing.join(',')}`,
      );
  }
  checkMetadataFiles(message);
  const business = message.sbd[message.documentType] as { hoveddokument?: string } | undefined;
  if (message.serviceIdentifier === 'DPI' && !message.files.some((f) => f.fileName === business?.hoveddokument))
    throw badRequest(
      'MissingPrimaryDocumentException',
      'Missing a primary document. Please specify the hoveddokument property in the business message and verify that is equal to one of the filenames.',
    );
  void state;
}
