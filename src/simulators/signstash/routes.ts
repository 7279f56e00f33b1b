import type { WireErrorResponse, WireOperationStatus, WireSignOperation } from '../../integrations/signstash/wire';
import { proxyBasePath, tokenPath } from '../../integrations/signstash/wire';

/**
 * What the simulated proxy implements: its routes, its async JSON and its own error codes. Written here on purpose,
 * not derived from Ferje's wire profile, so that a profile that disagrees with the simulator is caught by the OpenAPI
 * check (./openapi.ts describes exactly these routes and shapes) instead of silently agreeing with itself.
 */
export const simulatorPaths = {
  syncSign: `${proxyBasePath}/api/v0/document/sign/base64/`,
  asyncStart: `${proxyBasePath}/api/v0/async/document/sign/base64`,
  asyncStatus: (externalReference: string) =>
    `${proxyBasePath}/api/v0/async/operation/status/${encodeURIComponent(externalReference)}`,
} as const;

/** Route patterns (trailing slash optional, as in the product's samples). */
export const routePatterns = {
  syncSign: new RegExp(`^${proxyBasePath}/api/v0/document/sign/base64/?$`),
  asyncStart: new RegExp(`^${proxyBasePath}/api/v0/async/document/sign/base64/?$`),
  asyncStatus: new RegExp(`^${proxyBasePath}/api/v0/async/operation/status/([^/]+)/?$`),
  asyncDetail: new RegExp(
    `^${proxyBasePath}/api/v0/async/operation/sign/detail/([^/]+)/contentInResponse/(true|false)/?$`,
  ),
  /** springdoc's default (`springdoc.api-docs.path`), under the proxy's context path. */
  openApi: new RegExp(`^${proxyBasePath}/v3/api-docs/?$`),
  token: new RegExp(`^${tokenPath}/?$`),
} as const;

/** The simulator's own error codes for the async endpoints (spec §9.6: OURS). */
export const simulatorErrorCodes = {
  /** 404: no operation under this reference on this instance ("operation not found"). */
  unknownReference: '9.0.1',
  /** 409: the result was asked for before the operation became final. */
  notFinal: '9.0.2',
} as const;

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

/** `AsyncSignResult` (OURS): a `SignOperation` plus asyncOperationId, host, port. */
export interface WireAsyncSignResult extends WireSignOperation {
  asyncOperationId: string;
  host: string;
  port: number;
  error?: WireErrorResponse;
}
