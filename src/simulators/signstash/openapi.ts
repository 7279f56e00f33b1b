import { proxyBasePath } from '../../integrations/signstash/wire';

/**
 * The OpenAPI 3 document of what the simulated proxy implements, written by hand from ./instance.ts and
 * ./operations.ts, the way springdoc would publish it at `<context path>/v3/api-docs`: the server URL carries the
 * context path, the paths do not. Deliberately NOT generated from Ferje's wire profile: Ferje's start-up check compares
 * its profile with this document, and a document derived from the profile could never disagree with it.
 */
export function simulatorOpenApi(serverUrl: string): object {
  const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });
  const json = (schema: object): object => ({ content: { 'application/json': { schema } } });
  const errors = {
    '401': { description: 'Token missing, stale or invalid', ...json({ type: 'object' }) },
    '404': { description: 'Operation not found (9.0.1)', ...json(ref('ErrorResponse')) },
    '409': {
      description: 'Already exists (0.0.7), token invalid (0.0.10), not final (9.0.2)',
      ...json(ref('ErrorResponse')),
    },
    '500': { description: 'Validation (0.0.2, 0.0.4, 0.0.6) or unhandled (0.0.1)', ...json(ref('ErrorResponse')) },
  };
  const referenceParam = { name: 'externalReference', in: 'path', required: true, schema: { type: 'string' } };
  const operationStatus = {
    type: 'string',
    enum: ['PENDING_EXECUTION', 'EXECUTED', 'EXECUTION_ERROR', 'EXECUTION_FAILED'],
  };
  return {
    openapi: '3.0.1',
    info: { title: "Sign'Stash Proxy (Ferje simulator)", version: 'v0' },
    servers: [{ url: `${serverUrl}${proxyBasePath}`, description: 'Generated server url' }],
    security: [{ bearerAuth: [] }],
    paths: {
      '/api/v0/document/sign/base64/': {
        post: {
          operationId: 'signBase64',
          requestBody: { required: true, ...json(ref('SignRequestBase64Document')) },
          responses: { '200': { description: 'Signed', ...json(ref('SignOperation')) }, ...errors },
        },
      },
      '/api/v0/async/document/sign/base64': {
        post: {
          operationId: 'registerAsyncSignOperation',
          requestBody: { required: true, ...json(ref('SignRequestBase64Document')) },
          responses: {
            '202': { description: 'Registered on this instance', ...json(ref('AsyncOperation')) },
            ...errors,
          },
        },
      },
      '/api/v0/async/operation/status/{externalReference}': {
        get: {
          operationId: 'asyncOperationStatus',
          parameters: [referenceParam],
          responses: {
            '200': { description: 'Newest first', ...json({ type: 'array', items: ref('AsyncOperation') }) },
            ...errors,
          },
        },
      },
      '/api/v0/async/operation/sign/detail/{externalReference}/contentInResponse/{contentInResponse}': {
        get: {
          operationId: 'asyncSignDetail',
          parameters: [
            referenceParam,
            { name: 'contentInResponse', in: 'path', required: true, schema: { type: 'boolean' } },
          ],
          responses: { '200': { description: 'Final result', ...json(ref('AsyncSignResult')) }, ...errors },
        },
      },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ErrorResponse: {
          type: 'object',
          properties: {
            errorCode: { type: 'string' },
            errorCodeDescription: { type: 'string' },
            causeMessage: { type: 'string' },
          },
        },
        SignRequestBase64Document: {
          type: 'object',
          required: ['externalReference', 'description', 'documents'],
          properties: {
            externalReference: { type: 'string' },
            description: { type: 'string' },
            returnSignedContent: { type: 'boolean' },
            documents: { type: 'array', items: ref('SignBase64Document') },
          },
        },
        SignBase64Document: {
          type: 'object',
          required: ['documentRequest', 'signatureInfo'],
          properties: { documentRequest: ref('DocumentRequestBase64'), signatureInfo: ref('SignatureInfo') },
        },
        DocumentRequestBase64: {
          type: 'object',
          required: ['externalReference', 'name', 'contentType', 'base64Content'],
          properties: {
            externalReference: { type: 'string' },
            name: { type: 'string' },
            contentType: { type: 'string', enum: ['application/pdf', 'text/xml', 'application/xml'] },
            base64Content: { type: 'string' },
          },
        },
        SignatureInfo: {
          type: 'object',
          required: ['signatureType'],
          properties: {
            signatureType: { type: 'string', enum: ['PAdES', 'XAdES', 'CAdES'] },
            applyTimestamp: { type: 'boolean' },
            reason: { type: 'string' },
            location: { type: 'string' },
            visibleSignatureInfo: { type: 'object' },
            advancedSignatureInfo: { type: 'object' },
          },
        },
        AsyncOperation: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            externalReference: { type: 'string' },
            status: operationStatus,
            host: { type: 'string' },
            port: { type: 'integer', format: 'int32' },
            creationDate: { type: 'string', format: 'date-time' },
            lastUpdateDate: { type: 'string', format: 'date-time' },
            documentCount: { type: 'integer', format: 'int32' },
            signedCount: { type: 'integer', format: 'int32' },
            error: ref('ErrorResponse'),
          },
        },
        DocumentResponse: {
          type: 'object',
          properties: {
            externalReference: { type: 'string' },
            name: { type: 'string' },
            contentType: { type: 'string' },
            signStatus: { type: 'string', enum: ['RECEIVED', 'ERROR_SIGNING', 'SIGNED'] },
            signError: { type: 'string' },
            signedContent: { type: 'string', format: 'byte' },
            contentLength: { type: 'integer', format: 'int64' },
          },
        },
        SignOperation: {
          type: 'object',
          properties: {
            id: { type: 'integer', format: 'int64' },
            type: { type: 'string', enum: ['SIGN', 'EXTEND_PRESERVATION'] },
            status: operationStatus,
            issuerClientServiceAlias: { type: 'string' },
            creationDate: { type: 'string', format: 'date-time' },
            documentList: { type: 'array', items: ref('DocumentResponse') },
            executionTime: { type: 'integer', format: 'int64' },
          },
        },
        AsyncSignResult: {
          allOf: [
            ref('SignOperation'),
            {
              type: 'object',
              properties: {
                asyncOperationId: { type: 'string' },
                host: { type: 'string' },
                port: { type: 'integer', format: 'int32' },
                error: ref('ErrorResponse'),
              },
            },
          ],
        },
      },
    },
  };
}
