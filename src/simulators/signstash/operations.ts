import { randomUUID } from 'node:crypto';
import type {
  WireDocumentResponse,
  WireErrorResponse,
  WireOperationStatus,
  WireSignRequest,
} from '../../integrations/signstash/wire';
import { errorCodes } from '../../integrations/signstash/wire';
import { simulatorErrorCodes, type WireAsyncOperation, type WireAsyncSignResult } from './routes';

/** Outcome chosen for an operation: by `X-Mock-Scenario`, a planned scenario, or `ok`. */
export type Scenario = 'ok' | 'partial' | 'fail' | 'slow' | 'token-409' | 'crash-instance';
export const scenarios: readonly Scenario[] = ['ok', 'partial', 'fail', 'slow', 'token-409', 'crash-instance'];

export interface OperationPlan {
  scenario?: Scenario;
  /** Documents (by their reference) that end `ERROR_SIGNING`, with the product's signError. */
  failDocuments?: Record<string, string>;
}

export interface StoredDocument {
  externalReference: string;
  name: string;
  contentType: string;
  signatureType: string;
  signatureLocation?: string;
  base64Content: string;
  signError?: string;
}

/** One operation as an instance keeps it on disk. Its state is a function of time, so nothing needs a timer. */
export interface StoredOperation {
  id: string;
  saasId: number;
  externalReference: string;
  clientServiceId: string;
  createdAtMs: number;
  finalAtMs: number;
  outcome: Exclude<WireOperationStatus, 'PENDING_EXECUTION'>;
  error?: WireErrorResponse;
  documents: StoredDocument[];
}

export class ProductError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: WireErrorResponse,
  ) {
    super(body.causeMessage);
  }
}

const descriptions: Record<string, string> = {
  [errorCodes.unhandled]: 'Unhandled error.',
  [errorCodes.mandatoryMissing]: 'Mandatory attribute is missing.',
  [errorCodes.attributeTooLarge]: 'Attribute is too large.',
  [errorCodes.invalidParameter]: 'Invalid parameter.',
  [errorCodes.alreadyExists]: 'Already exists.',
  [errorCodes.tokenInvalid]: 'Access token expired or invalid.',
  [errorCodes.licenceInvalid]: 'Invalid or missing license.',
  [simulatorErrorCodes.unknownReference]: 'Operation not found.',
  [simulatorErrorCodes.notFinal]: 'Operation is not finished.',
};

export function productError(httpStatus: number, errorCode: string, causeMessage: string): ProductError {
  return new ProductError(httpStatus, {
    errorCode,
    errorCodeDescription: descriptions[errorCode] ?? 'Error.',
    causeMessage,
  });
}

const CONTENT_TYPES = ['application/pdf', 'text/xml', 'application/xml'];
const SIGNATURE_TYPES = ['PAdES', 'XAdES', 'CAdES'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The product's validation (§9.6): 500 with 0.0.2 / 0.0.6 / 0.0.4, before anything is registered. */
export function validateSignRequest(body: unknown, maxDocuments: number): WireSignRequest {
  const req = body as Partial<WireSignRequest> | undefined;
  const missing = (what: string): never => {
    throw productError(500, errorCodes.mandatoryMissing, `missing ${what}`);
  };
  const invalid = (what: string): never => {
    throw productError(500, errorCodes.invalidParameter, `invalid ${what}`);
  };
  if (typeof req !== 'object' || req === null) return missing('signDocumentRequest');
  if (typeof req.externalReference !== 'string' || req.externalReference === '') missing('externalReference');
  if (!/^[^\s/]{1,128}$/.test(req.externalReference!)) invalid('externalReference');
  if (typeof req.description !== 'string' || req.description === '') missing('description');
  if (!Array.isArray(req.documents)) return missing('documents');
  if (req.documents.length === 0) invalid('documents (empty)');
  if (req.documents.length > maxDocuments) throw productError(500, errorCodes.attributeTooLarge, 'too many documents');
  req.documents.forEach((doc, i) => {
    const d = doc?.documentRequest;
    if (!d) missing(`documents[${i}].documentRequest`);
    for (const field of ['externalReference', 'name', 'contentType', 'base64Content'] as const) {
      if (typeof d[field] !== 'string' || d[field] === '') missing(`documents[${i}].documentRequest.${field}`);
    }
    if (!CONTENT_TYPES.includes(d.contentType)) invalid(`documents[${i}].documentRequest.contentType`);
    if (!BASE64.test(d.base64Content)) invalid(`documents[${i}].documentRequest.base64Content`);
    if (!doc.signatureInfo) missing(`documents[${i}].signatureInfo`);
    if (!doc.signatureInfo.signatureType) missing(`documents[${i}].signatureInfo.signatureType`);
    if (!SIGNATURE_TYPES.includes(doc.signatureInfo.signatureType))
      invalid(`documents[${i}].signatureInfo.signatureType`);
  });
  return req as WireSignRequest;
}

export function createOperation(
  req: WireSignRequest,
  clientServiceId: string,
  plan: OperationPlan,
  timing: { baseDelayMs: number; perDocumentDelayMs: number },
  nowMs: number,
  saasId: number,
): StoredOperation {
  const scenario = plan.scenario ?? 'ok';
  const slow = scenario === 'slow' ? 10 : 1;
  const documents: StoredDocument[] = req.documents.map((doc, i) => {
    const stored: StoredDocument = {
      externalReference: doc.documentRequest.externalReference,
      name: doc.documentRequest.name,
      contentType: doc.documentRequest.contentType,
      signatureType: doc.signatureInfo.signatureType,
      base64Content: doc.documentRequest.base64Content,
    };
    const location = doc.signatureInfo.advancedSignatureInfo?.signatureLocation;
    if (typeof location === 'string') stored.signatureLocation = location;
    const planned = plan.failDocuments?.[stored.externalReference];
    if (planned) stored.signError = planned;
    else if (stored.signatureType === 'PAdES' && stored.contentType !== 'application/pdf') {
      stored.signError = 'CONFIGURATION_SIGN_ERROR';
    } else if (scenario === 'partial' && (i % 2 === 1 || req.documents.length === 1)) {
      stored.signError = 'CERT_SERVICE_GLOBAL_ERROR';
    } else if (scenario === 'fail') stored.signError = 'SIGN_OPERATION_INTERNAL_ERROR';
    return stored;
  });
  const failed = scenario === 'fail';
  const anyError = documents.some((d) => d.signError);
  return {
    id: randomUUID(),
    saasId,
    externalReference: req.externalReference,
    clientServiceId,
    createdAtMs: nowMs,
    finalAtMs: nowMs + slow * (timing.baseDelayMs + timing.perDocumentDelayMs * documents.length),
    outcome: failed ? 'EXECUTION_FAILED' : anyError ? 'EXECUTION_ERROR' : 'EXECUTED',
    ...(failed
      ? { error: productError(500, errorCodes.unhandled, 'signature service failed for the whole request').body }
      : {}),
    documents,
  };
}

export function statusAt(op: StoredOperation, nowMs: number): WireOperationStatus {
  return nowMs < op.finalAtMs ? 'PENDING_EXECUTION' : op.outcome;
}

export function asyncOperationView(op: StoredOperation, host: string, port: number, nowMs: number): WireAsyncOperation {
  const status = statusAt(op, nowMs);
  const view: WireAsyncOperation = {
    id: op.id,
    externalReference: op.externalReference,
    status,
    host,
    port,
    creationDate: new Date(op.createdAtMs).toISOString(),
    lastUpdateDate: new Date(status === 'PENDING_EXECUTION' ? op.createdAtMs : op.finalAtMs).toISOString(),
    documentCount: op.documents.length,
  };
  if (status !== 'PENDING_EXECUTION') view.signedCount = op.documents.filter((d) => !d.signError).length;
  if (status === 'EXECUTION_FAILED' && op.error) view.error = op.error;
  return view;
}

export function signResultView(
  op: StoredOperation,
  host: string,
  port: number,
  withContent: boolean,
  nowMs: number,
): WireAsyncSignResult {
  const status = statusAt(op, nowMs);
  return {
    id: op.saasId,
    type: 'SIGN',
    status,
    issuerClientServiceAlias: op.clientServiceId,
    creationDate: new Date(op.createdAtMs).toISOString(),
    executionTime: op.finalAtMs - op.createdAtMs,
    asyncOperationId: op.id,
    host,
    port,
    ...(op.error && status === 'EXECUTION_FAILED' ? { error: op.error } : {}),
    documentList: op.documents.map((d): WireDocumentResponse => {
      const signed = status !== 'PENDING_EXECUTION' && !d.signError;
      const out: WireDocumentResponse = {
        externalReference: d.externalReference,
        name: d.name,
        contentType: d.contentType,
        signStatus: status === 'PENDING_EXECUTION' ? 'RECEIVED' : signed ? 'SIGNED' : 'ERROR_SIGNING',
      };
      if (status !== 'PENDING_EXECUTION' && d.signError) out.signError = d.signError;
      if (signed && withContent) {
        const content = fakeSignature(d);
        out.signedContent = content.toString('base64');
        out.contentLength = content.length;
      }
      return out;
    }),
  };
}

/** Deterministic fake signatures (§10): tests assert on these markers only. */
export function fakeSignature(
  doc: Pick<
    StoredDocument,
    'base64Content' | 'contentType' | 'signatureType' | 'externalReference' | 'signatureLocation'
  >,
): Buffer {
  const original = Buffer.from(doc.base64Content, 'base64');
  if (doc.signatureType === 'CAdES') return Buffer.concat([Buffer.from('SIGNSTASH-MOCK-CADES\n'), original]);
  if (doc.contentType === 'application/pdf') {
    return Buffer.concat([original, Buffer.from(`\n%SIGNSTASH-MOCK ${doc.signatureType} ${doc.externalReference}\n`)]);
  }
  const xml = original.toString('utf8');
  const signature = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="signstash-mock"/>';
  const closing = doc.signatureLocation ? xml.lastIndexOf(`</${doc.signatureLocation}>`) : -1;
  const at = closing >= 0 ? closing : xml.lastIndexOf('</');
  return Buffer.from(at >= 0 ? `${xml.slice(0, at)}${signature}${xml.slice(at)}` : `${xml}${signature}`, 'utf8');
}
