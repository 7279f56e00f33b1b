import type { InputProblem } from '../failure-types';
import { isBlobRef } from '../blob-ref';
import { checkInteger, checkKeySegment, InputProblems, isRecord } from '../input-rules';
import type { PostenDocument, PostenSigner } from './types';

/** The limits of Posten's XSDs and documented business rules that Ferje checks before anything is sent. */
export const postenLimits = {
  referenceMax: 50,
  titleMax: 80,
  descriptionMax: 220,
  signersMax: 10,
  documentsMax: 20,
  documentTitleMax: 80,
  mediaTypeMax: 100,
  /** Documented per-document limit (10 MB). */
  documentBytesMax: 10 * 1024 * 1024,
  /** 90 days. */
  availableSecondsMax: 7_776_000,
  /** Default when `available-seconds` is omitted: 30 days. */
  availableSecondsDefault: 2_592_000,
  /** Posten refuses 0 (the XSD allows it; Ferje refuses it before anything is sent). */
  availableSecondsMin: 1,
  /** How far ahead an activation may lie (Ferje's bound: the job's deadline timer stays within reason). */
  activationDaysAheadMax: 365,
  /** Changes one drain may hand over before it reports back to the poller. */
  drainChangesMax: 1000,
} as const;

const ORG_NUMBER = /^[0-9]{9}$/;
const PIN = /^[0-9]{11}$/;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const MOBILE = /^\+?[0-9]{8,15}$/;
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))$/;
const SIGNATURE_TYPES = ['ADVANCED_ELECTRONIC_SIGNATURE', 'AUTHENTICATED_ELECTRONIC_SIGNATURE'];
const IDENTIFIERS = ['PERSONAL_IDENTIFICATION_NUMBER_AND_NAME', 'DATE_OF_BIRTH_AND_NAME', 'NAME'];

/**
 * Checks a job description against the XSDs and the documented rules. Problems name the field and the rule, never
 * the offending value (it may be personal data). Pure and deterministic: workflows call it before any activity, the
 * CLI and the create activity call it too. Accepts anything (`null`, arrays, strings): callers in other languages can
 * send anything.
 */
export function validatePostenJob(input: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkJob(problems, input);
  return problems.list;
}

/** The whole input of `postenSignatureJobWorkflow`: the job and, when present, the state carried by Ferje itself. */
export function validateSignatureJobInput(input: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkJob(problems, input);
  if (input.resume !== undefined) checkJobResume(problems, input.resume, input.signers);
  return problems.list;
}

/** The input of `postenStatusPollerWorkflow`, including the counters carried through continue-as-new. */
export function validateStatusPollerInput(input: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkSender(problems, input.sender);
  checkPollingQueue(problems, input.pollingQueue);
  checkInteger(problems, '/maxChangesPerDrain', input.maxChangesPerDrain, {
    min: 1,
    max: postenLimits.drainChangesMax,
    optional: true,
  });
  if (input.carried !== undefined) {
    if (!isRecord(input.carried)) problems.add('/carried', 'must be an object');
    else checkCounters(problems, '/carried', input.carried, ['polls', 'changesDispatched', 'changesToUnowned', 'runs']);
  }
  return problems.list;
}

/** The input of `postenUnownedJobWorkflow` (normally built by the status router), including its carried state. */
export function validateUnownedJobInput(input: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  checkSender(problems, input.sender);
  checkPollingQueue(problems, input.pollingQueue);
  checkJobId(problems, '/signatureJobId', input.signatureJobId, false);
  // Posten's echo of a reference (a job created outside Ferje may carry anything): only its shape matters here, it
  // never becomes part of a key.
  checkString(problems, '/reference', input.reference, 0, 1000, true);
  if (input.policy !== 'HOLD' && input.policy !== 'ADOPT') problems.add('/policy', 'must be HOLD or ADOPT');
  if (input.duplicateOf !== undefined) {
    if (!isRecord(input.duplicateOf)) problems.add('/duplicateOf', 'must be an object');
    else {
      checkString(problems, '/duplicateOf/workflowId', input.duplicateOf.workflowId, 1, 1000, false);
      checkJobId(problems, '/duplicateOf/signatureJobId', input.duplicateOf.signatureJobId, true);
    }
  }
  checkString(problems, '/ownedByClosedWorkflow', input.ownedByClosedWorkflow, 1, 1000, true);
  if (input.resume !== undefined) checkUnownedResume(problems, input.resume);
  return problems.list;
}

/** The argument of the `postenStatusChange` signal: `{ change }` as the status router sends it. */
export function validateStatusChangeMessage(arg: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(arg)) return [{ path: '', problem: 'must be an object' }];
  checkStatusChange(problems, '/change', arg.change);
  return problems.list;
}

/** The argument of the `postenCancelJob` signal and update: nothing, or `{ reason }`. */
export function validateCancelMessage(arg: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (arg === undefined || arg === null) return [];
  if (!isRecord(arg)) return [{ path: '', problem: 'must be an object' }];
  checkString(problems, '/reason', arg.reason, 0, 500, true);
  return problems.list;
}

/** The argument of an operator's decision update: `{ action }` with one of the allowed actions. */
export function validateActionMessage(allowed: readonly string[]): (arg: unknown) => InputProblem[] {
  return (arg) =>
    isRecord(arg) && typeof arg.action === 'string' && allowed.includes(arg.action)
      ? []
      : [{ path: '/action', problem: `must be one of ${allowed.join(', ')}` }];
}

function checkJob(problems: InputProblems, input: Record<string, unknown>): void {
  const add: Add = (path, problem) => problems.add(path, problem);
  checkSender(problems, input.sender);
  checkKeySegment(problems, '/reference', input.reference, { maxLength: postenLimits.referenceMax });
  checkPollingQueue(problems, input.pollingQueue);
  checkText(add, '/title', input.title, 1, postenLimits.titleMax, true);
  checkText(add, '/nonsensitiveTitle', input.nonsensitiveTitle, 1, postenLimits.titleMax, false);
  checkText(add, '/description', input.description, 0, postenLimits.descriptionMax, false);
  checkDocuments(add, input.documents);
  checkSigners(add, input.signers);
  if (input.requiredAuthentication !== undefined && !['3', '4'].includes(input.requiredAuthentication as string)) {
    add('/requiredAuthentication', 'must be "3" or "4"');
  }
  if (input.availability !== undefined) checkAvailability(problems, input.availability);
  if (
    input.identifierInSignedDocuments !== undefined &&
    !IDENTIFIERS.includes(input.identifierInSignedDocuments as string)
  ) {
    add('/identifierInSignedDocuments', `must be one of ${IDENTIFIERS.join(', ')}`);
  }
}

/** The sender is an organisation number: 9 digits, and (like every key part) never a national identity number. */
function checkSender(problems: InputProblems, value: unknown): void {
  if (typeof value !== 'string' || !ORG_NUMBER.test(value)) problems.add('/sender', 'must be 9 digits');
  else checkKeySegment(problems, '/sender', value, { maxLength: 9 });
}

function checkPollingQueue(problems: InputProblems, value: unknown): void {
  if (value === undefined) return;
  const queue = checkKeySegment(problems, '/pollingQueue', value, { maxLength: 100 });
  if (queue?.startsWith('_')) problems.add('/pollingQueue', 'must not start with _ (reserved for the default queue)');
}

function checkAvailability(problems: InputProblems, value: unknown): void {
  if (!isRecord(value)) return problems.add('/availability', 'must be an object');
  const { activationTime, availableSeconds } = value;
  if (activationTime !== undefined) {
    const at = typeof activationTime === 'string' ? parseDateTime(activationTime) : undefined;
    if (at === undefined) {
      problems.add('/availability/activationTime', 'must be an existing ISO-8601 date-time with offset');
    } else if (at > Date.now() + postenLimits.activationDaysAheadMax * 86_400_000) {
      problems.add('/availability/activationTime', `must be at most ${postenLimits.activationDaysAheadMax} days ahead`);
    }
  }
  checkInteger(problems, '/availability/availableSeconds', availableSeconds, {
    min: postenLimits.availableSecondsMin,
    max: postenLimits.availableSecondsMax,
    optional: true,
  });
}

/**
 * Epoch ms of an xs:dateTime with an offset, or undefined when it is malformed or names a day or time that does not
 * exist (Date.parse rolls 30 February over to March; Posten would refuse it).
 */
export function parseDateTime(text: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const offsetHours = m[8] === undefined ? 0 : Number(m[8]);
  const offsetMinutes = m[9] === undefined ? 0 : Number(m[9]);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

type Add = (path: string, problem: string) => void;

function checkText(add: Add, path: string, value: unknown, min: number, max: number, required: boolean): void {
  if (value === undefined) {
    if (required) add(path, 'is required');
    return;
  }
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    add(path, `must be ${min}-${max} characters`);
  } else if ([...value].some(isForbiddenControl)) {
    add(path, 'contains control characters that XML cannot carry');
  }
}

function checkDocuments(add: Add, docs: unknown): void {
  if (!Array.isArray(docs) || docs.length < 1 || docs.length > postenLimits.documentsMax) {
    add('/documents', `must hold 1-${postenLimits.documentsMax} documents`);
    return;
  }
  (docs as Partial<PostenDocument>[]).forEach((doc, i) => {
    const p = `/documents/${i}`;
    if (!isRecord(doc)) return add(p, 'must be an object');
    checkText(add, `${p}/title`, doc?.title, 1, postenLimits.documentTitleMax, true);
    if (typeof doc?.fileName !== 'string' || doc.fileName.length < 1 || doc.fileName.length > 200) {
      add(`${p}/fileName`, 'must be 1-200 characters');
    }
    if (
      doc?.mediaType !== undefined &&
      (typeof doc.mediaType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(doc.mediaType))
    ) {
      add(`${p}/mediaType`, 'must be a media type such as application/pdf');
    }
    if (!isBlobRef(doc?.content)) add(`${p}/content`, 'must be a blob reference (sha256, size)');
    else if (doc.content.size > postenLimits.documentBytesMax) add(`${p}/content`, 'is larger than 10 MB');
    else if (doc.content.size === 0) add(`${p}/content`, 'is empty');
  });
}

function checkSigners(add: Add, value: unknown): void {
  if (!Array.isArray(value) || value.length < 1 || value.length > postenLimits.signersMax) {
    add('/signers', `must hold 1-${postenLimits.signersMax} signers`);
    return;
  }
  const signers = value as PostenSigner[];
  signers.forEach((s, i) => {
    const p = `/signers/${i}`;
    if (typeof s !== 'object' || s === null) {
      add(p, 'must be an object');
      return;
    }
    if (s.personalIdentificationNumber !== undefined && !PIN.test(String(s.personalIdentificationNumber))) {
      add(`${p}/personalIdentificationNumber`, 'must be 11 digits');
    }
    if (s.order !== undefined && (!Number.isInteger(s.order) || s.order < 0 || s.order > 9)) {
      add(`${p}/order`, 'must be an integer 0-9');
    }
    if (s.signatureType !== undefined && !SIGNATURE_TYPES.includes(s.signatureType)) {
      add(`${p}/signatureType`, `must be one of ${SIGNATURE_TYPES.join(', ')}`);
    }
    if (s.onBehalfOf !== undefined && s.onBehalfOf !== 'SELF' && s.onBehalfOf !== 'OTHER') {
      add(`${p}/onBehalfOf`, 'must be SELF or OTHER');
    }
    const hasContact = s.notifications !== undefined;
    const hasLookup = s.notificationsUsingLookup !== undefined;
    if (hasContact && !isRecord(s.notifications)) add(`${p}/notifications`, 'must be an object');
    if (hasLookup && !isRecord(s.notificationsUsingLookup)) add(`${p}/notificationsUsingLookup`, 'must be an object');
    if (hasContact === hasLookup) {
      add(p, 'needs exactly one of notifications or notificationsUsingLookup');
    }
    if (hasContact) {
      const { email, mobile } = isRecord(s.notifications) ? s.notifications : {};
      if (email === undefined && mobile === undefined) add(`${p}/notifications`, 'needs an e-mail address or mobile');
      if (email !== undefined && (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email))) {
        add(`${p}/notifications/email`, 'is not an e-mail address');
      }
      if (mobile !== undefined && (typeof mobile !== 'string' || !MOBILE.test(mobile))) {
        add(`${p}/notifications/mobile`, 'must be 8-15 digits with an optional leading +');
      }
    }
    if (hasLookup) {
      if (s.personalIdentificationNumber === undefined) {
        add(`${p}/notificationsUsingLookup`, 'needs a personal identification number to look up');
      }
      if (s.onBehalfOf === 'OTHER') add(`${p}/onBehalfOf`, 'OTHER cannot be combined with notificationsUsingLookup');
    }
  });
  const contactKeys = signers
    .filter((s) => s && s.personalIdentificationNumber === undefined && s.notifications)
    .map((s) => `${s.notifications?.email ?? ''}|${s.notifications?.mobile ?? ''}`);
  const pins = signers.map((s) => s?.personalIdentificationNumber).filter((v): v is string => v !== undefined);
  if (new Set(pins).size !== pins.length || new Set(contactKeys).size !== contactKeys.length) {
    add('/signers', 'two signers have the same identity (Posten reports statuses by identity)');
  }
}

/** The order groups of a job, lowest first (a signer without `order` is in group 0). */
export function orderGroups(signers: PostenSigner[]): number[] {
  return [...new Set(signers.map((s) => s.order ?? 0))].sort((a, b) => a - b);
}

/** Control characters XML 1.0 cannot carry (tab, line feed and carriage return are fine). */
function isForbiddenControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
}

function checkString(
  problems: InputProblems,
  path: string,
  value: unknown,
  min: number,
  max: number,
  optional: boolean,
): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    problems.add(path, `must be a string of ${min}-${max} characters`);
  }
}

/** Posten's job ids are xs:long, kept as decimal strings. */
function checkJobId(problems: InputProblems, path: string, value: unknown, optional: boolean): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || !/^[0-9]{1,19}$/.test(value)) problems.add(path, 'must be 1-19 digits');
}

function checkCounters(problems: InputProblems, path: string, value: Record<string, unknown>, names: string[]): void {
  for (const name of names)
    checkInteger(problems, `${path}/${name}`, value[name], { min: 0, max: Number.MAX_SAFE_INTEGER });
}

function checkBoolean(problems: InputProblems, path: string, value: unknown, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'boolean') problems.add(path, 'must be true or false');
}

function checkBlobRef(problems: InputProblems, path: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (!isBlobRef(value)) problems.add(path, 'must be a blob reference (sha256, size)');
}

function checkArray(
  problems: InputProblems,
  path: string,
  value: unknown,
  max: number,
  each: (item: unknown, itemPath: string) => void,
): void {
  if (!Array.isArray(value) || value.length > max) return problems.add(path, `must be a list of at most ${max}`);
  value.forEach((item, i) => each(item, `${path}/${i}`));
}

const JOB_STATUSES = ['IN_PROGRESS', 'COMPLETED_SUCCESSFULLY', 'FAILED'];
const MAX_URL = 2000;

/** A status change as the client parsed it from Posten (also inside carried state, where a caller could forge it). */
function checkStatusChange(problems: InputProblems, path: string, value: unknown): void {
  if (!isRecord(value)) return problems.add(path, 'must be an object');
  checkJobId(problems, `${path}/signatureJobId`, value.signatureJobId, false);
  checkString(problems, `${path}/reference`, value.reference, 0, 1000, true);
  if (!JOB_STATUSES.includes(value.status as string)) {
    problems.add(`${path}/status`, `must be one of ${JOB_STATUSES.join(', ')}`);
  }
  checkString(problems, `${path}/confirmationUrl`, value.confirmationUrl, 1, MAX_URL, false);
  for (const name of ['cancellationUrl', 'deleteDocumentsUrl', 'padesUrl']) {
    checkString(problems, `${path}/${name}`, value[name], 1, MAX_URL, true);
  }
  checkString(problems, `${path}/receivedAt`, value.receivedAt, 0, 100, true);
  checkArray(problems, `${path}/signatures`, value.signatures, 100, (signature, p) => {
    if (!isRecord(signature)) return problems.add(p, 'must be an object');
    checkString(problems, `${p}/status`, signature.status, 1, 100, false);
    checkString(problems, `${p}/since`, signature.since, 0, 100, false);
    for (const name of ['personalIdentificationNumber', 'email', 'mobile']) {
      checkString(problems, `${p}/${name}`, signature[name], 0, 320, true);
    }
    checkString(problems, `${p}/xadesUrl`, signature.xadesUrl, 1, MAX_URL, true);
  });
}

const PENDING_MAX = 10_000;
const SEEN_KEYS_MAX = 1_000;

/** The state a signature-job run hands to the next: every field, since a caller could forge `resume` at a start. */
function checkJobResume(problems: InputProblems, value: unknown, signers: unknown): void {
  const p = '/resume';
  if (!isRecord(value)) return problems.add(p, 'must be an object');
  checkJobId(problems, `${p}/signatureJobId`, value.signatureJobId, true);
  checkString(problems, `${p}/cancellationUrl`, value.cancellationUrl, 1, MAX_URL, true);
  checkBlobRef(problems, `${p}/bundle`, value.bundle);
  checkBlobRef(problems, `${p}/pades`, value.pades);
  for (const name of ['createUncertain', 'cancelRequested', 'cancelAttempted', 'cancelledBySender']) {
    checkBoolean(problems, `${p}/${name}`, value[name]);
  }
  if (value.jobStatus !== 'NOT_CREATED' && !JOB_STATUSES.includes(value.jobStatus as string)) {
    problems.add(`${p}/jobStatus`, `must be NOT_CREATED or one of ${JOB_STATUSES.join(', ')}`);
  }
  checkCounters(problems, p, value, ['changesProcessed', 'redeliveriesRecognised', 'deadlineAt']);
  const signerCount = Array.isArray(signers) ? signers.length : 0;
  checkArray(problems, `${p}/signers`, value.signers, postenLimits.signersMax, (signer, sp) => {
    if (!isRecord(signer)) return problems.add(sp, 'must be an object');
    checkInteger(problems, `${sp}/index`, signer.index, { min: 0, max: Math.max(0, signerCount - 1) });
    checkInteger(problems, `${sp}/order`, signer.order, { min: 0, max: 9 });
    checkString(problems, `${sp}/status`, signer.status, 1, 100, false);
    checkString(problems, `${sp}/since`, signer.since, 0, 100, true);
    checkBlobRef(problems, `${sp}/xades`, signer.xades);
  });
  if (Array.isArray(value.signers) && value.signers.length !== signerCount) {
    problems.add(`${p}/signers`, 'must have one entry per signer of the job');
  }
  checkArray(problems, `${p}/seenChangeKeys`, value.seenChangeKeys, SEEN_KEYS_MAX, (key, kp) =>
    checkString(problems, kp, key, 1, 10_000, false),
  );
  checkArray(problems, `${p}/duplicateJobs`, value.duplicateJobs, 100, (dup, dp) => {
    if (!isRecord(dup)) return problems.add(dp, 'must be an object');
    checkJobId(problems, `${dp}/signatureJobId`, dup.signatureJobId, false);
    if (dup.outcome !== 'CANCELLED' && dup.outcome !== 'ALREADY_FINISHED') {
      problems.add(`${dp}/outcome`, 'must be CANCELLED or ALREADY_FINISHED');
    }
    if (!JOB_STATUSES.includes(dup.status as string)) problems.add(`${dp}/status`, 'must be a job status');
    checkBlobRef(problems, `${dp}/pades`, dup.pades);
  });
  checkMissingDocuments(problems, `${p}/documentsMissing`, value.documentsMissing);
  checkArray(problems, `${p}/pendingChanges`, value.pendingChanges, PENDING_MAX, (change, cp) =>
    checkStatusChange(problems, cp, change),
  );
}

function checkMissingDocuments(problems: InputProblems, path: string, value: unknown): void {
  if (value === undefined) return;
  checkArray(problems, path, value, 101, (doc, mp) => {
    if (!isRecord(doc)) return problems.add(mp, 'must be an object');
    if (doc.document === 'PADES') return;
    if (doc.document !== 'XADES') return problems.add(`${mp}/document`, 'must be PADES or XADES');
    checkInteger(problems, `${mp}/signerIndex`, doc.signerIndex, { min: 0, max: 99 });
  });
}

/** The state an unowned-job run hands to the next (forgeable by a caller, like any input). */
function checkUnownedResume(problems: InputProblems, value: unknown): void {
  const p = '/resume';
  if (!isRecord(value)) return problems.add(p, 'must be an object');
  if (value.jobStatus !== undefined && !JOB_STATUSES.includes(value.jobStatus as string)) {
    problems.add(`${p}/jobStatus`, 'must be a job status');
  }
  checkBoolean(problems, `${p}/released`, value.released);
  checkBoolean(problems, `${p}/cancelled`, value.cancelled);
  checkMissingDocuments(problems, `${p}/documentsMissing`, value.documentsMissing);
  checkCounters(problems, p, value, ['changesReceived', 'confirmed']);
  checkArray(problems, `${p}/seenChangeKeys`, value.seenChangeKeys, SEEN_KEYS_MAX, (key, kp) =>
    checkString(problems, kp, key, 1, 10_000, false),
  );
  checkArray(problems, `${p}/xades`, value.xades, 100, (ref, xp) => {
    if (ref !== null) checkBlobRef(problems, xp, ref, false);
  });
  checkBlobRef(problems, `${p}/pades`, value.pades);
  if (value.latest !== undefined) checkStatusChange(problems, `${p}/latest`, value.latest);
  checkArray(problems, `${p}/pendingChanges`, value.pendingChanges, PENDING_MAX, (change, cp) =>
    checkStatusChange(problems, cp, change),
  );
}
