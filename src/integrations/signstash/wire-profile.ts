import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { ConfigError } from '../../config/env';
import ferjeDefault from './wire-profiles/ferje-default.json';

/**
 * The async half of the Sign'Stash wire contract as data. The product publishes its async paths and JSON only in each
 * proxy's Swagger UI (spec §8), so Ferje's contract (§9) is a guess; a profile names the three endpoints, the JSON
 * fields Ferje reads and writes, the status values and the two error codes that mean something to the workflow. The
 * client reads all of that from here and nothing from code, so correcting the guess for a real proxy is a file, not a
 * release. The verified parts (sync endpoint, token endpoint, `ErrorResponse`, document request fields) stay in ./wire.
 */
export interface WireProfile {
  name: string;
  /** The proxy's context path; endpoint paths are relative to it. */
  basePath: string;
  endpoints: {
    start: WireEndpoint;
    /** `list`: an array of operations, newest first; `object`: one operation. */
    status: WireEndpoint & { answer: 'list' | 'object' };
    result: WireEndpoint;
  };
  /** Top-level fields of the start request body (its documents keep the verified `SignRequestBase64Document` shape). */
  request: { externalReference: string; description: string; documents: string; returnSignedContent: string | null };
  /** The operation object answered by start and status. `null`: the proxy has no such field. */
  operation: {
    id: string;
    externalReference: string;
    status: string;
    host: string;
    port: string;
    creationDate: string;
    lastUpdateDate: string | null;
    documentCount: string;
    signedCount: string | null;
    error: string | null;
  };
  /** The result object answered by the result endpoint. */
  result: {
    operationNumber: string;
    operationId: string | null;
    status: string;
    documents: string;
    error: string | null;
  };
  /** One entry of the result's document list. */
  document: {
    externalReference: string;
    contentType: string;
    signStatus: string;
    signError: string;
    signedContent: string;
  };
  /** Ferje's four operation states → the proxy's values. */
  statusValues: Record<OperationState, string>;
  signStatusValues: Record<DocumentSignState, string>;
  errors: {
    /** The proxy's own "no operation under this reference" answer: the only 404 that means the instance lost it. */
    operationNotFound: WireErrorSignature;
    /** The result was asked for before the operation became final. */
    notFinal: WireErrorSignature;
  };
}

export interface WireEndpoint {
  method: 'GET' | 'POST';
  path: string;
}
export interface WireErrorSignature {
  httpStatus: number;
  errorCode: string;
}
export type OperationState = 'pending' | 'executed' | 'executionError' | 'executionFailed';
export type DocumentSignState = 'received' | 'signed' | 'errorSigning';

export const operationStates = {
  pending: 'PENDING_EXECUTION',
  executed: 'EXECUTED',
  executionError: 'EXECUTION_ERROR',
  executionFailed: 'EXECUTION_FAILED',
} as const;
export const documentSignStates = { received: 'RECEIVED', signed: 'SIGNED', errorSigning: 'ERROR_SIGNING' } as const;

const name = { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$.-]*$' };
const optionalName = { anyOf: [name, { type: 'null' }] };
const value = { type: 'string', minLength: 1 };
const fields = (required: string[], optional: string[] = []): object => ({
  type: 'object',
  additionalProperties: false,
  required: [...required, ...optional],
  properties: Object.fromEntries<object>([
    ...required.map((f): [string, object] => [f, name]),
    ...optional.map((f): [string, object] => [f, optionalName]),
  ]),
});
const endpoint = (extra: object = {}, extraRequired: string[] = []): object => ({
  type: 'object',
  additionalProperties: false,
  required: ['method', 'path', ...extraRequired],
  properties: {
    method: { enum: ['GET', 'POST'] },
    path: { type: 'string', pattern: '^/[^\\s?#]*$' },
    ...extra,
  },
});
const errorSignature = {
  type: 'object',
  additionalProperties: false,
  required: ['httpStatus', 'errorCode'],
  properties: { httpStatus: { type: 'integer', minimum: 400, maximum: 599 }, errorCode: value },
};

/** JSON Schema of a profile file (draft-07). */
export const wireProfileSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'basePath',
    'endpoints',
    'request',
    'operation',
    'result',
    'document',
    'statusValues',
    'signStatusValues',
    'errors',
  ],
  properties: {
    $comment: { type: 'string' },
    name: value,
    basePath: { type: 'string', pattern: '^(/[^\\s?#/]+)*$' },
    endpoints: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'status', 'result'],
      properties: {
        start: endpoint(),
        status: endpoint({ answer: { enum: ['list', 'object'] } }, ['answer']),
        result: endpoint(),
      },
    },
    request: fields(['externalReference', 'description', 'documents'], ['returnSignedContent']),
    operation: fields(
      ['id', 'externalReference', 'status', 'host', 'port', 'creationDate', 'documentCount'],
      ['lastUpdateDate', 'signedCount', 'error'],
    ),
    result: fields(['operationNumber', 'status', 'documents'], ['operationId', 'error']),
    document: fields(['externalReference', 'contentType', 'signStatus', 'signError', 'signedContent']),
    statusValues: {
      type: 'object',
      additionalProperties: false,
      required: Object.keys(operationStates),
      properties: Object.fromEntries(Object.keys(operationStates).map((k) => [k, value])),
    },
    signStatusValues: {
      type: 'object',
      additionalProperties: false,
      required: Object.keys(documentSignStates),
      properties: Object.fromEntries(Object.keys(documentSignStates).map((k) => [k, value])),
    },
    errors: {
      type: 'object',
      additionalProperties: false,
      required: ['operationNotFound', 'notFinal'],
      properties: { operationNotFound: errorSignature, notFinal: errorSignature },
    },
  },
} as const;

const validateShape = new Ajv({ allErrors: true, strict: false }).compile<WireProfile>(wireProfileSchema);

/** A wire profile that breaks a rule; the message names the profile, the JSON pointer and the rule. */
export class WireProfileError extends ConfigError {}

/** Checks a profile against the schema and the rules a schema cannot say; the result is safe for the client to use. */
export function parseWireProfile(raw: unknown, source: string): WireProfile {
  const problems: string[] = [];
  if (!validateShape(raw)) {
    for (const e of validateShape.errors ?? []) {
      const where = e.instancePath || '/';
      const detail =
        e.keyword === 'additionalProperties'
          ? `has unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : e.keyword === 'enum'
            ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
            : (e.message ?? 'is invalid');
      problems.push(`${where} ${detail}`);
    }
  } else {
    const p = raw;
    const needs = (which: keyof WireProfile['endpoints'], params: string[], allowed: string[]): void => {
      const present = [...p.endpoints[which].path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
      for (const param of params) {
        if (!present.includes(param)) problems.push(`/endpoints/${which}/path must contain {${param}}`);
      }
      for (const param of present) {
        if (!allowed.includes(param)) problems.push(`/endpoints/${which}/path has unknown parameter {${param}}`);
      }
    };
    needs('start', [], []);
    needs('status', ['externalReference'], ['externalReference']);
    needs('result', ['externalReference'], ['externalReference', 'contentInResponse']);
    for (const key of ['statusValues', 'signStatusValues'] as const) {
      const values = Object.values(p[key]);
      if (new Set(values).size !== values.length) problems.push(`/${key} must name a different value for each state`);
    }
    const { operationNotFound, notFinal } = p.errors;
    if (operationNotFound.httpStatus === notFinal.httpStatus && operationNotFound.errorCode === notFinal.errorCode) {
      problems.push('/errors/operationNotFound and /errors/notFinal must differ');
    }
  }
  if (problems.length > 0) {
    throw new WireProfileError(`Sign'Stash wire profile ${source} is invalid: ${problems.join('; ')}`);
  }
  return raw as WireProfile;
}

/** The profile shipped with Ferje (our §9 contract). */
export const defaultWireProfile: WireProfile = parseWireProfile(ferjeDefault, 'ferje-default (built in)');

/** The profile in `file`, or the default when no file is given. */
export function loadWireProfile(file: string | undefined): WireProfile {
  if (file === undefined) return defaultWireProfile;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WireProfileError(`Sign'Stash wire profile ${file} is not readable JSON: ${(err as Error).message}`);
  }
  return parseWireProfile(raw, file);
}

/** The request path of an endpoint with its parameters filled in (URL-encoded). */
export function endpointPath(
  profile: WireProfile,
  which: keyof WireProfile['endpoints'],
  params: { externalReference?: string; contentInResponse?: boolean } = {},
): string {
  const path = profile.endpoints[which].path.replace(/\{([^}]*)\}/g, (_m, param: string) =>
    encodeURIComponent(String(params[param as keyof typeof params])),
  );
  return `${profile.basePath}${path}`;
}

/** The proxy's value for a Ferje state, and back (undefined for a value the profile does not name). */
export function stateOf<K extends string>(values: Record<K, string>, wire: unknown): K | undefined {
  return (Object.keys(values) as K[]).find((k) => values[k] === wire);
}
