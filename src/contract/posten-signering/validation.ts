import type { InputProblem } from '../failure-types';
import { isBlobRef } from '../blob-ref';
import type { PostenSignatureJobInput, PostenSigner } from './types';

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
} as const;

const ORG_NUMBER = /^[0-9]{9}$/;
const PIN = /^[0-9]{11}$/;
const KEY_SEGMENT = /^[A-Za-z0-9._:@+=-]+$/;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const MOBILE = /^\+?[0-9]{8,15}$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const SIGNATURE_TYPES = ['ADVANCED_ELECTRONIC_SIGNATURE', 'AUTHENTICATED_ELECTRONIC_SIGNATURE'];
const IDENTIFIERS = ['PERSONAL_IDENTIFICATION_NUMBER_AND_NAME', 'DATE_OF_BIRTH_AND_NAME', 'NAME'];

/**
 * Checks a job description against the XSDs and the documented rules. Problems name the field and the rule, never
 * the offending value (it may be personal data). Pure and deterministic: workflows call it before any activity.
 */
export function validatePostenJob(input: PostenSignatureJobInput): InputProblem[] {
  const problems: InputProblem[] = [];
  const add = (path: string, problem: string): void => {
    problems.push({ path, problem });
  };
  if (typeof input !== 'object' || input === null) return [{ path: '', problem: 'must be an object' }];
  if (typeof input.sender !== 'string' || !ORG_NUMBER.test(input.sender)) add('/sender', 'must be 9 digits');
  if (
    typeof input.reference !== 'string' ||
    input.reference.length < 1 ||
    input.reference.length > postenLimits.referenceMax ||
    !KEY_SEGMENT.test(input.reference)
  ) {
    add('/reference', `must be 1-${postenLimits.referenceMax} characters of A-Z a-z 0-9 . _ : @ + = -`);
  }
  if (input.pollingQueue !== undefined) {
    const q = input.pollingQueue;
    if (typeof q !== 'string' || q.length < 1 || q.length > 100 || !KEY_SEGMENT.test(q) || q.startsWith('_')) {
      add('/pollingQueue', 'must be 1-100 characters of A-Z a-z 0-9 . _ : @ + = - and not start with _');
    }
  }
  checkText(add, '/title', input.title, 1, postenLimits.titleMax, true);
  checkText(add, '/nonsensitiveTitle', input.nonsensitiveTitle, 1, postenLimits.titleMax, false);
  checkText(add, '/description', input.description, 0, postenLimits.descriptionMax, false);
  checkDocuments(add, input);
  checkSigners(add, input.signers);
  if (input.requiredAuthentication !== undefined && !['3', '4'].includes(input.requiredAuthentication)) {
    add('/requiredAuthentication', 'must be "3" or "4"');
  }
  if (input.availability !== undefined) {
    const { activationTime, availableSeconds } = input.availability;
    if (
      activationTime !== undefined &&
      (typeof activationTime !== 'string' || !ISO_WITH_OFFSET.test(activationTime) || isNaN(Date.parse(activationTime)))
    ) {
      add('/availability/activationTime', 'must be an ISO-8601 date-time with offset');
    }
    if (
      availableSeconds !== undefined &&
      (!Number.isSafeInteger(availableSeconds) ||
        availableSeconds < 0 ||
        availableSeconds > postenLimits.availableSecondsMax)
    ) {
      add('/availability/availableSeconds', `must be an integer 0-${postenLimits.availableSecondsMax} (90 days)`);
    }
  }
  if (input.identifierInSignedDocuments !== undefined && !IDENTIFIERS.includes(input.identifierInSignedDocuments)) {
    add('/identifierInSignedDocuments', `must be one of ${IDENTIFIERS.join(', ')}`);
  }
  return problems;
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

function checkDocuments(add: Add, input: PostenSignatureJobInput): void {
  const docs = input.documents;
  if (!Array.isArray(docs) || docs.length < 1 || docs.length > postenLimits.documentsMax) {
    add('/documents', `must hold 1-${postenLimits.documentsMax} documents`);
    return;
  }
  docs.forEach((doc, i) => {
    const p = `/documents/${i}`;
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

function checkSigners(add: Add, signers: PostenSigner[] | undefined): void {
  if (!Array.isArray(signers) || signers.length < 1 || signers.length > postenLimits.signersMax) {
    add('/signers', `must hold 1-${postenLimits.signersMax} signers`);
    return;
  }
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
    if (hasContact === hasLookup) {
      add(p, 'needs exactly one of notifications or notificationsUsingLookup');
    }
    if (hasContact) {
      const { email, mobile } = s.notifications ?? {};
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
