/**
 * The verified half of Sign'Stash's HTTP surface (spec §3-§7): the sync endpoint, the token endpoint, error codes and
 * the JSON of `SignRequestBase64Document`, `SignOperation` and `ErrorResponse`. The async endpoints and their JSON are
 * OUR guess (§9) and therefore data: a wire profile (./wire-profile.ts, default ./wire-profiles/ferje-default.json).
 */

/** Context path of the proxy (verified). */
export const proxyBasePath = '/signstash/einvoice-integration-client-ws';
/** OAuth2 token endpoint on the SaaS domain (verified). */
export const tokenPath = '/oauth2/authorization-server/oauth/token';

export const paths = {
  /** Verified: synchronous signing (returns `SignOperation` with `signedContent`). */
  syncSign: `${proxyBasePath}/api/v0/document/sign/base64/`,
} as const;

/** Where the JSON of a verified `SignOperation` (the sync answer) puts what the client reads. */
export const verifiedSignOperationLayout = {
  result: { operationNumber: 'id', operationId: null, status: 'status', documents: 'documentList', error: null },
  document: {
    externalReference: 'externalReference',
    contentType: 'contentType',
    signStatus: 'signStatus',
    signError: 'signError',
    signedContent: 'signedContent',
  },
  statusValues: {
    pending: 'PENDING_EXECUTION',
    executed: 'EXECUTED',
    executionError: 'EXECUTION_ERROR',
    executionFailed: 'EXECUTION_FAILED',
  },
  signStatusValues: { received: 'RECEIVED', signed: 'SIGNED', errorSigning: 'ERROR_SIGNING' },
} as const;

/** Top-level field names of the verified `SignRequestBase64Document` (§5). */
export const verifiedRequestFields = {
  externalReference: 'externalReference',
  description: 'description',
  documents: 'documents',
  returnSignedContent: 'returnSignedContent',
} as const;

/** Product error codes (verified, §7). Ours (`9.x`, §9.6) are in the wire profile. */
export const errorCodes = {
  unhandled: '0.0.1',
  mandatoryMissing: '0.0.2',
  clientServiceNotSetUp: '0.0.3',
  attributeTooLarge: '0.0.4',
  emailNotSent: '0.0.5',
  invalidParameter: '0.0.6',
  alreadyExists: '0.0.7',
  tokenInvalid: '0.0.10',
  licenceInvalid: '1.1.0',
  licenceInactive: '1.1.1',
  clientServiceExists: '1.1.2',
  clientServiceStatusForbids: '1.1.3',
  secretTooWeak: '1.1.4',
  issuerInactive: '1.2.0',
  partnerInactive: '1.3.0',
} as const;

/** `ErrorResponse` (verified). */
export interface WireErrorResponse {
  errorCode: string;
  errorCodeDescription: string;
  causeMessage: string;
}

/** OAuth2 token response (verified shape). */
export interface WireTokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  jti?: string;
}

export type WireOperationStatus = 'PENDING_EXECUTION' | 'EXECUTED' | 'EXECUTION_ERROR' | 'EXECUTION_FAILED';

/** `DocumentResponse` (verified, the fields we use). */
export interface WireDocumentResponse {
  externalReference: string;
  name: string;
  contentType: string;
  signStatus: 'RECEIVED' | 'SIGNED' | 'ERROR_SIGNING';
  signError?: string;
  signedContent?: string;
  contentLength?: number;
}

/** `SignOperation` (verified). */
export interface WireSignOperation {
  id: number;
  type?: string;
  status: WireOperationStatus;
  issuerClientServiceAlias?: string;
  creationDate?: string;
  documentList: WireDocumentResponse[];
  executionTime?: number;
}

/** `SignRequestBase64Document` (verified field names, §5). */
export interface WireSignRequest {
  externalReference: string;
  description: string;
  documents: WireSignDocument[];
  returnSignedContent?: boolean;
}
export interface WireSignDocument {
  documentRequest: { externalReference: string; name: string; contentType: string; base64Content: string };
  signatureInfo: WireSignatureInfo;
}
export interface WireSignatureInfo {
  signatureType: string;
  applyTimestamp?: boolean;
  reason?: string;
  location?: string;
  visibleSignatureInfo?: Record<string, unknown>;
  advancedSignatureInfo?: Record<string, unknown>;
}

/** The JSON key inside a document request whose value is streamed from the blob store. */
export const base64ContentField = 'base64Content';
