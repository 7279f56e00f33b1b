import { isBlobRef } from '../blob-ref';
import type { InputProblem } from '../failure-types';
import type { SignatureOperationInput, SignstashDocumentInput } from './types';

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

const REFERENCE = /^[A-Za-z0-9._:@+=-]+$/;
const DOCUMENT_REFERENCE = /^[^\s/]{1,128}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CONTENT_TYPES = ['application/pdf', 'text/xml', 'application/xml'];
const SIGNATURE_TYPES = ['PAdES', 'XAdES', 'CAdES'];

/** Size in bytes of valid base64 text, without decoding it (workflow code has no Buffer). */
export function base64DecodedSize(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * Every rule that can be checked without I/O, so that bad input fails before anything reaches Sign'Stash. Problems
 * name paths, never values (values may be personal data).
 */
export function validateSignatureOperationInput(input: SignatureOperationInput): InputProblem[] {
  const problems: InputProblem[] = [];
  const add = (path: string, problem: string): void => {
    problems.push({ path, problem });
  };
  if (typeof input !== 'object' || input === null) return [{ path: '', problem: 'must be an object' }];
  if (typeof input.clientServiceId !== 'string' || !/^[A-Za-z0-9._:@+=-]{1,128}$/.test(input.clientServiceId)) {
    add('/clientServiceId', 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ + = -');
  }
  if (
    typeof input.externalReference !== 'string' ||
    input.externalReference.length > signstashLimits.maxExternalReferenceLength ||
    !REFERENCE.test(input.externalReference)
  ) {
    add(
      '/externalReference',
      `must be 1-${signstashLimits.maxExternalReferenceLength} characters of A-Z a-z 0-9 . _ : @ + = -`,
    );
  }
  if (
    typeof input.description !== 'string' ||
    input.description.trim() === '' ||
    input.description.length > signstashLimits.maxDescriptionLength
  ) {
    add('/description', `is required (1-${signstashLimits.maxDescriptionLength} characters)`);
  }
  if (!Array.isArray(input.documents) || input.documents.length === 0) {
    add('/documents', 'must hold at least one document');
  } else if (input.documents.length > signstashLimits.maxDocuments) {
    add('/documents', `may hold at most ${signstashLimits.maxDocuments} documents (Sign'Stash's limit)`);
  } else {
    const seen = new Set<string>();
    let inlineBytes = 0;
    input.documents.forEach((doc, i) => {
      inlineBytes += validateDocument(doc, `/documents/${i}`, add);
      if (typeof doc?.externalReference === 'string') {
        if (seen.has(doc.externalReference)) add(`/documents/${i}/externalReference`, 'is used by another document');
        seen.add(doc.externalReference);
      }
    });
    if (inlineBytes > signstashLimits.maxInlineBytes) {
      add(
        '/documents',
        `inline content totals more than ${signstashLimits.maxInlineBytes} bytes: store large documents as blobs`,
      );
    }
  }
  const options = input.options ?? {};
  if (options.onInstanceLost !== undefined && !['fail', 'restart'].includes(options.onInstanceLost)) {
    add('/options/onInstanceLost', 'must be "fail" or "restart"');
  }
  const seconds = (value: unknown, path: string, min: number): void => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > signstashLimits.maxSeconds) {
      add(path, `must be a whole number of seconds between ${min} and ${signstashLimits.maxSeconds}`);
    }
  };
  seconds(options.instanceLostAfterSeconds, '/options/instanceLostAfterSeconds', 1);
  seconds(options.operationTimeoutSeconds, '/options/operationTimeoutSeconds', 5);
  if (
    options.maxRestarts !== undefined &&
    (!Number.isInteger(options.maxRestarts) ||
      options.maxRestarts < 1 ||
      options.maxRestarts > signstashLimits.maxRestarts)
  ) {
    add('/options/maxRestarts', `must be between 1 and ${signstashLimits.maxRestarts}`);
  }
  return problems;
}

/** Returns the inline bytes the document contributes. */
function validateDocument(
  doc: SignstashDocumentInput,
  path: string,
  add: (path: string, problem: string) => void,
): number {
  if (typeof doc !== 'object' || doc === null) {
    add(path, 'must be an object');
    return 0;
  }
  if (typeof doc.externalReference !== 'string' || !DOCUMENT_REFERENCE.test(doc.externalReference)) {
    add(`${path}/externalReference`, 'must be 1-128 characters without "/" or whitespace');
  }
  if (typeof doc.name !== 'string' || doc.name.trim() === '' || doc.name.length > 255) {
    add(`${path}/name`, 'is required (1-255 characters)');
  }
  const isPdf = doc.contentType === 'application/pdf';
  const isXml = doc.contentType === 'text/xml' || doc.contentType === 'application/xml';
  if (!CONTENT_TYPES.includes(doc.contentType))
    add(`${path}/contentType`, `must be one of ${CONTENT_TYPES.join(', ')}`);
  if (!SIGNATURE_TYPES.includes(doc.signatureType)) {
    add(`${path}/signatureType`, `must be one of ${SIGNATURE_TYPES.join(', ')}`);
  } else if (doc.signatureType === 'PAdES' && !isPdf && CONTENT_TYPES.includes(doc.contentType)) {
    // Sign'Stash would accept the request and then fail this document with CONFIGURATION_SIGN_ERROR.
    add(`${path}/signatureType`, 'PAdES signs PDF documents only');
  }
  if (doc.visibleSignature !== undefined && !isPdf) add(`${path}/visibleSignature`, 'applies to PDF documents only');
  if (doc.advancedSignature !== undefined && !isXml) add(`${path}/advancedSignature`, 'applies to XML documents only');
  if ((doc.reason !== undefined || doc.location !== undefined) && doc.signatureType !== 'PAdES') {
    add(`${path}/reason`, 'reason and location apply to PAdES only');
  }
  const content = doc.content as { base64?: unknown; blob?: unknown } | undefined;
  if (
    typeof content !== 'object' ||
    content === null ||
    (content.base64 === undefined) === (content.blob === undefined)
  ) {
    add(`${path}/content`, 'must have exactly one of "base64" or "blob"');
    return 0;
  }
  if (content.blob !== undefined) {
    if (!isBlobRef(content.blob)) add(`${path}/content/blob`, 'must be a BlobRef ({sha256, size})');
    return 0;
  }
  if (typeof content.base64 !== 'string' || content.base64.length === 0 || !BASE64.test(content.base64)) {
    add(`${path}/content/base64`, 'must be non-empty, valid base64');
    return 0;
  }
  return base64DecodedSize(content.base64);
}
