/**
 * THE one place where the client (and its simulator) spell Sign'Stash's HTTP surface: paths, headers and JSON field
 * names. §4-§8 of the spec are verified product facts; the async endpoints and their JSON (§9) are OUR contract,
 * chosen because the product only documents them in each proxy's Swagger UI. When a live proxy confirms the real
 * async contract, change this file (and its parse functions) only.
 */

/** Context path of the proxy (verified) and of the SaaS. */
export const proxyBasePath = '/signstash/einvoice-integration-client-ws';
/** OAuth2 token endpoint on the SaaS domain (verified). */
export const tokenPath = '/oauth2/authorization-server/oauth/token';

export const paths = {
  /** Verified: synchronous signing (returns `SignOperation` with `signedContent`). */
  syncSign: `${proxyBasePath}/api/v0/document/sign/base64/`,
  /** OURS: registers an async operation; 202 with an `AsyncOperation`. */
  asyncStart: `${proxyBasePath}/api/v0/async/document/sign/base64`,
  /** OURS: `AsyncOperation[]`, newest first. */
  asyncStatus: (externalReference: string) =>
    `${proxyBasePath}/api/v0/async/operation/status/${encodeURIComponent(externalReference)}`,
  /** OURS: `AsyncSignResult` once final; 409 9.0.2 while pending. */
  asyncDetail: (externalReference: string, contentInResponse: boolean) =>
    `${proxyBasePath}/api/v0/async/operation/sign/detail/${encodeURIComponent(externalReference)}/contentInResponse/${contentInResponse}`,
} as const;

/** Route patterns the simulator matches (trailing slash optional, as in the product's samples). */
export const routePatterns = {
  syncSign: new RegExp(`^${proxyBasePath}/api/v0/document/sign/base64/?$`),
  asyncStart: new RegExp(`^${proxyBasePath}/api/v0/async/document/sign/base64/?$`),
  asyncStatus: new RegExp(`^${proxyBasePath}/api/v0/async/operation/status/([^/]+)/?$`),
  asyncDetail: new RegExp(
    `^${proxyBasePath}/api/v0/async/operation/sign/detail/([^/]+)/contentInResponse/(true|false)/?$`,
  ),
  token: new RegExp(`^${tokenPath}/?$`),
} as const;

/** Product error codes (verified, §7) and ours (`9.x`, §9.6). */
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
  unknownReference: '9.0.1',
  notFinal: '9.0.2',
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

/** `AsyncOperation` (OURS, §9.2). */
export interface WireAsyncOperation {
  id: string;
  externalReference: string;
  status: WireOperationStatus;
  host: string;
  port: number;
  creationDate: string;
  lastUpdateDate: string;
  documentCount: number;
  signedCount?: number;
  error?: WireErrorResponse;
}

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

/** `SignOperation` (verified) and `AsyncSignResult` (OURS: plus asyncOperationId, host, port). */
export interface WireSignOperation {
  id: number;
  type?: string;
  status: WireOperationStatus;
  issuerClientServiceAlias?: string;
  creationDate?: string;
  documentList: WireDocumentResponse[];
  executionTime?: number;
}
export interface WireAsyncSignResult extends WireSignOperation {
  asyncOperationId: string;
  host: string;
  port: number;
  error?: WireErrorResponse;
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

/** The JSON key inside `documentList[i]` whose value is streamed into the blob store instead of into memory. */
export const signedContentField = 'signedContent';
export const documentListField = 'documentList';
export const base64ContentField = 'base64Content';
