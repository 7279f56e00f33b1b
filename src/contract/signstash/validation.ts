import { isBlobRef } from '../blob-ref';
import type { InputProblem } from '../failure-types';
import { checkInteger, checkKeySegment, InputProblems, isRecord } from '../input-rules';
import { containsNationalIdentityNumber } from '../personal-data';

export const signstashLimits = {
  maxDocuments: 2500,
  /** Longer references would leave no room for the suffix of a derived reference (`-R2` … `-R9`). */
  maxExternalReferenceLength: 120,
  maxDescriptionLength: 4000,
  /** Inline content travels through workflow history (twice): keep it far below Temporal's 256 KB payload warning. */
  maxInlineBytes: 128 * 1024,
  maxRestarts: 9,
  maxSeconds: 7 * 24 * 3600,
} as const;

const DOCUMENT_REFERENCE = /^[^\s/]{1,128}$/;
const HOST = /^[A-Za-z0-9.:-]{1,253}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CONTENT_TYPES: readonly unknown[] = ['application/pdf', 'text/xml', 'application/xml'];
const SIGNATURE_TYPES: readonly unknown[] = ['PAdES', 'XAdES', 'CAdES'];
const BEHAVIOURS: readonly unknown[] = ['fail', 'restart'];
const OPERATION_STATUSES: readonly unknown[] = ['PENDING_EXECUTION', 'EXECUTED', 'EXECUTION_ERROR', 'EXECUTION_FAILED'];
const GONE_REASONS: readonly unknown[] = ['unreachable', 'unknown-operation', 'unhealthy'];
const MAX_MS = signstashLimits.maxSeconds * 1000;

/** Size in bytes of valid base64 text, without decoding it (workflow code has no Buffer). */
export function base64DecodedSize(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * Every rule that can be checked without I/O, so that bad input fails before anything reaches Sign'Stash: the whole
 * input, including a `resume` a caller could forge, with bounds on every duration and count. Accepts anything (`null`
 * and strings are inputs too) and never throws. Problems name paths, never values (values may be personal data).
 */
export function validateSignatureOperationInput(input: unknown): InputProblem[] {
  if (!isRecord(input)) return [{ path: '', problem: 'must be an object' }];
  const problems = new InputProblems();
  checkKeySegment(problems, '/clientServiceId', input.clientServiceId);
  checkKeySegment(problems, '/externalReference', input.externalReference, {
    maxLength: signstashLimits.maxExternalReferenceLength,
  });
  const description = input.description;
  if (
    typeof description !== 'string' ||
    description.trim() === '' ||
    description.length > signstashLimits.maxDescriptionLength
  ) {
    problems.add('/description', `is required (1-${signstashLimits.maxDescriptionLength} characters)`);
  }
  if (input.resume !== undefined) {
    // A continued run carries its documents in the manifest; `documents` is left empty.
    if (!Array.isArray(input.documents)) problems.add('/documents', 'must be an array');
    checkResume(problems, input.resume);
  } else {
    checkDocuments(problems, input.documents);
  }
  checkOptions(problems, input.options);
  return problems.list;
}

function checkDocuments(problems: InputProblems, documents: unknown): void {
  if (!Array.isArray(documents) || documents.length === 0) {
    problems.add('/documents', 'must hold at least one document');
    return;
  }
  if (documents.length > signstashLimits.maxDocuments) {
    problems.add('/documents', `may hold at most ${signstashLimits.maxDocuments} documents (Sign'Stash's limit)`);
    return;
  }
  const seen = new Set<unknown>();
  let inlineBytes = 0;
  documents.forEach((doc: unknown, i) => {
    inlineBytes += checkDocument(problems, doc, `/documents/${i}`);
    if (isRecord(doc) && typeof doc.externalReference === 'string') {
      if (seen.has(doc.externalReference))
        problems.add(`/documents/${i}/externalReference`, 'is used by another document');
      seen.add(doc.externalReference);
    }
  });
  if (inlineBytes > signstashLimits.maxInlineBytes) {
    problems.add(
      '/documents',
      `inline content totals more than ${signstashLimits.maxInlineBytes} bytes: store large documents as blobs`,
    );
  }
}

/** Returns the inline bytes the document contributes. */
function checkDocument(problems: InputProblems, doc: unknown, path: string): number {
  if (!isRecord(doc)) {
    problems.add(path, 'must be an object');
    return 0;
  }
  if (typeof doc.externalReference !== 'string' || !DOCUMENT_REFERENCE.test(doc.externalReference)) {
    problems.add(`${path}/externalReference`, 'must be 1-128 characters without "/" or whitespace');
  } else if (containsNationalIdentityNumber(doc.externalReference)) {
    problems.add(`${path}/externalReference`, 'looks like a national identity number; use an opaque reference');
  }
  if (typeof doc.name !== 'string' || doc.name.trim() === '' || doc.name.length > 255) {
    problems.add(`${path}/name`, 'is required (1-255 characters)');
  }
  const isPdf = doc.contentType === 'application/pdf';
  const isXml = doc.contentType === 'text/xml' || doc.contentType === 'application/xml';
  if (!CONTENT_TYPES.includes(doc.contentType)) {
    problems.add(`${path}/contentType`, `must be one of ${CONTENT_TYPES.join(', ')}`);
  }
  if (!SIGNATURE_TYPES.includes(doc.signatureType)) {
    problems.add(`${path}/signatureType`, `must be one of ${SIGNATURE_TYPES.join(', ')}`);
  } else if (doc.signatureType === 'PAdES' && !isPdf && CONTENT_TYPES.includes(doc.contentType)) {
    // Sign'Stash would accept the request and then fail this document with CONFIGURATION_SIGN_ERROR.
    problems.add(`${path}/signatureType`, 'PAdES signs PDF documents only');
  }
  if (doc.visibleSignature !== undefined && (!isPdf || !isRecord(doc.visibleSignature))) {
    problems.add(`${path}/visibleSignature`, 'applies to PDF documents only (an object)');
  }
  if (doc.advancedSignature !== undefined && (!isXml || !isRecord(doc.advancedSignature))) {
    problems.add(`${path}/advancedSignature`, 'applies to XML documents only (an object)');
  }
  if ((doc.reason !== undefined || doc.location !== undefined) && doc.signatureType !== 'PAdES') {
    problems.add(`${path}/reason`, 'reason and location apply to PAdES only');
  }
  for (const field of ['reason', 'location'] as const) {
    const value = doc[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > 255)) {
      problems.add(`${path}/${field}`, 'must be a string of at most 255 characters');
    }
  }
  if (doc.applyTimestamp !== undefined && typeof doc.applyTimestamp !== 'boolean') {
    problems.add(`${path}/applyTimestamp`, 'must be true or false');
  }
  return checkContent(problems, doc.content, `${path}/content`);
}

function checkContent(problems: InputProblems, content: unknown, path: string): number {
  if (!isRecord(content) || (content.base64 === undefined) === (content.blob === undefined)) {
    problems.add(path, 'must have exactly one of "base64" or "blob"');
    return 0;
  }
  if (content.blob !== undefined) {
    if (!isBlobRef(content.blob)) problems.add(`${path}/blob`, 'must be a BlobRef ({sha256, size})');
    return 0;
  }
  if (typeof content.base64 !== 'string' || content.base64.length === 0 || !BASE64.test(content.base64)) {
    problems.add(`${path}/base64`, 'must be non-empty, valid base64');
    return 0;
  }
  return base64DecodedSize(content.base64);
}

function checkOptions(problems: InputProblems, options: unknown): void {
  if (options === undefined) return;
  if (!isRecord(options)) {
    problems.add('/options', 'must be an object');
    return;
  }
  if (options.onInstanceLost !== undefined && !BEHAVIOURS.includes(options.onInstanceLost)) {
    problems.add('/options/onInstanceLost', 'must be "fail" or "restart"');
  }
  const seconds = (field: string, min: number): void => {
    if (options[field] === undefined) return;
    const value = options[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > signstashLimits.maxSeconds) {
      problems.add(
        `/options/${field}`,
        `must be a whole number of seconds between ${min} and ${signstashLimits.maxSeconds}`,
      );
    }
  };
  seconds('instanceLostAfterSeconds', 1);
  seconds('operationTimeoutSeconds', 5);
  checkInteger(problems, '/options/maxRestarts', options.maxRestarts, {
    min: 1,
    max: signstashLimits.maxRestarts,
    optional: true,
  });
}

/**
 * The state a run hands to the next through continue-as-new. A caller can forge it, so every field is checked as
 * strictly as the fresh input: bounded delays and counts (no tight poll loop), an instance address of the right shape
 * (the client follows it only when it is on the configured allow-list), known statuses.
 */
function checkResume(problems: InputProblems, resume: unknown): void {
  if (!isRecord(resume)) {
    problems.add('/resume', 'must be an object (set only by the workflow itself)');
    return;
  }
  if (!isBlobRef(resume.manifest)) problems.add('/resume/manifest', 'must be a BlobRef ({sha256, size})');
  checkInteger(problems, '/resume/documentCount', resume.documentCount, { min: 1, max: signstashLimits.maxDocuments });
  checkPolicy(problems, resume.policy);
  checkPlacement(problems, '/resume/placement', resume.placement, true);
  if (!OPERATION_STATUSES.includes(resume.status)) problems.add('/resume/status', 'must be an operation status');
  if (!Array.isArray(resume.restarts) || resume.restarts.length > signstashLimits.maxRestarts) {
    problems.add('/resume/restarts', `must be a list of at most ${signstashLimits.maxRestarts} instance losses`);
  } else {
    resume.restarts.forEach((loss: unknown, i) => {
      const path = `/resume/restarts/${i}`;
      checkPlacement(problems, path, loss, false);
      if (!isRecord(loss)) return;
      if (!GONE_REASONS.includes(loss.reason)) problems.add(`${path}/reason`, 'must be a known reason');
      checkInteger(problems, `${path}/goneForMs`, loss.goneForMs, { min: 0, max: Number.MAX_SAFE_INTEGER });
    });
  }
  checkInteger(problems, '/resume/goneSinceMs', resume.goneSinceMs, {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    optional: true,
  });
  if (resume.goneReason !== undefined && !GONE_REASONS.includes(resume.goneReason)) {
    problems.add('/resume/goneReason', 'must be a known reason');
  }
  checkInteger(problems, '/resume/nextPollDelayMs', resume.nextPollDelayMs, { min: 100, max: MAX_MS });
  checkInteger(problems, '/resume/statusChecks', resume.statusChecks, { min: 0, max: 1_000_000_000 });
}

function checkPolicy(problems: InputProblems, policy: unknown): void {
  if (!isRecord(policy)) {
    problems.add('/resume/policy', 'must be an object');
    return;
  }
  if (!BEHAVIOURS.includes(policy.onInstanceLost))
    problems.add('/resume/policy/onInstanceLost', 'must be "fail" or "restart"');
  const ms = (field: string, min: number, max = MAX_MS): void => {
    checkInteger(problems, `/resume/policy/${field}`, policy[field], { min, max });
  };
  ms('instanceLostAfterMs', 1000);
  ms('operationTimeoutMs', 5000);
  ms('startRetryIntervalMs', 1000);
  ms('firstPollDelayMs', 100, 600_000);
  ms('maxPollDelayMs', 1000);
  checkInteger(problems, '/resume/policy/maxRestarts', policy.maxRestarts, {
    min: 1,
    max: signstashLimits.maxRestarts,
  });
  checkInteger(problems, '/resume/policy/maxPollsPerRun', policy.maxPollsPerRun, { min: 2, max: 2000 });
}

/** A placement (or the instance part of a loss record): where an operation lives. */
function checkPlacement(problems: InputProblems, path: string, placement: unknown, withAcceptance: boolean): void {
  if (!isRecord(placement)) {
    problems.add(path, 'must be an object');
    return;
  }
  checkKeySegment(problems, `${path}/externalReference`, placement.externalReference, {
    maxLength: signstashLimits.maxExternalReferenceLength + 3,
  });
  checkKeySegment(problems, `${path}/operationId`, placement.operationId);
  if (typeof placement.host !== 'string' || !HOST.test(placement.host)) {
    problems.add(`${path}/host`, 'must be a host name or IP address');
  }
  checkInteger(problems, `${path}/port`, placement.port, { min: 1, max: 65535 });
  if (withAcceptance) {
    checkInteger(problems, `${path}/acceptedAtMs`, placement.acceptedAtMs, { min: 0, max: Number.MAX_SAFE_INTEGER });
  }
}
