import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { parseAsyncOperation, readSignResult, signRequestBody } from '../../../src/integrations/signstash/codec';
import { DocumentContent, SignRequestBuilder } from '../../../src/integrations/signstash/model';
import {
  defaultWireProfile,
  endpointPath,
  parseWireProfile,
  WireProfileError,
  type WireProfile,
} from '../../../src/integrations/signstash/wire-profile';
import { loadSignstashConfig } from '../../../src/modules/signstash/config';

/** A proxy that spells everything differently: what a corrected profile for a real proxy could look like. */
const other: WireProfile = {
  name: 'other-proxy',
  basePath: '/ss',
  endpoints: {
    start: { method: 'POST', path: '/async/sign' },
    status: { method: 'GET', path: '/async/{externalReference}/state', answer: 'object' },
    result: { method: 'GET', path: '/async/{externalReference}/detail' },
  },
  request: { externalReference: 'reference', description: 'text', documents: 'files', returnSignedContent: null },
  operation: {
    id: 'operationId',
    externalReference: 'reference',
    status: 'state',
    host: 'hostName',
    port: 'hostPort',
    creationDate: 'created',
    lastUpdateDate: null,
    documentCount: 'count',
    signedCount: null,
    error: null,
  },
  result: { operationNumber: 'number', operationId: null, status: 'state', documents: 'docs', error: 'failure' },
  document: {
    externalReference: 'ref',
    contentType: 'mime',
    signStatus: 'state',
    signError: 'problem',
    signedContent: 'bytes',
  },
  statusValues: { pending: 'RUNNING', executed: 'DONE', executionError: 'PARTIAL', executionFailed: 'FAILED' },
  signStatusValues: { received: 'NEW', signed: 'OK', errorSigning: 'KO' },
  errors: {
    operationNotFound: { httpStatus: 404, errorCode: 'OP-404' },
    notFinal: { httpStatus: 425, errorCode: 'OP-425' },
  },
};

describe("Sign'Stash wire profile", () => {
  it('ships the current contract as the default profile file, valid', () => {
    const shipped: unknown = JSON.parse(
      readFileSync(require.resolve('../../../src/integrations/signstash/wire-profiles/ferje-default.json'), 'utf8'),
    );
    assert.deepEqual(parseWireProfile(shipped, 'shipped'), defaultWireProfile);
    assert.equal(loadSignstashConfig(envWith()).wireProfile.name, 'ferje-default');
    assert.equal(
      endpointPath(defaultWireProfile, 'result', { externalReference: 'a b', contentInResponse: true }),
      '/signstash/einvoice-integration-client-ws/api/v0/async/operation/sign/detail/a%20b/contentInResponse/true',
    );
  });

  type Loose = Record<string, Record<string, unknown>>;
  const loose = (p: WireProfile): Loose => p as unknown as Loose;
  const invalid: [string, (p: WireProfile) => void, RegExp][] = [
    ['a missing endpoint', (p) => delete loose(p).endpoints.result, /\/endpoints must have required property 'result'/],
    [
      'an unknown method',
      (p) => ((p.endpoints.start as { method: string }).method = 'PUT'),
      /\/endpoints\/start\/method must be one of GET, POST/,
    ],
    [
      'a status path without the reference',
      (p) => (p.endpoints.status.path = '/api/v0/async/operation/status'),
      /\/endpoints\/status\/path must contain \{externalReference\}/,
    ],
    [
      'an unknown path parameter',
      (p) => (p.endpoints.result.path = '/r/{externalReference}/{id}'),
      /\/endpoints\/result\/path has unknown parameter \{id\}/,
    ],
    ['a misspelt field key', (p) => (loose(p).operation.hots = 'host'), /\/operation has unknown field "hots"/],
    ['an empty field name', (p) => (p.operation.id = ''), /\/operation\/id must match pattern/],
    ['a required field set to null', (p) => (loose(p).operation.host = null), /\/operation\/host must be string/],
    [
      'two states with one value',
      (p) => (p.statusValues.executionFailed = p.statusValues.executionError),
      /\/statusValues must name a different value for each state/,
    ],
    [
      'a non-error HTTP status',
      (p) => (p.errors.operationNotFound.httpStatus = 200),
      /\/errors\/operationNotFound\/httpStatus must be >= 400/,
    ],
  ];
  for (const [label, change, expected] of invalid) {
    it(`refuses ${label} with a message naming the profile and the place`, () => {
      const raw = structuredClone(defaultWireProfile);
      change(raw);
      assert.throws(
        () => parseWireProfile(raw, '/etc/ferje/proxy.json'),
        (err: unknown) =>
          err instanceof WireProfileError &&
          err.message.startsWith("Sign'Stash wire profile /etc/ferje/proxy.json is invalid: ") &&
          expected.test(err.message),
      );
    });
  }

  it('is read from SIGNSTASH_WIRE_PROFILE and refused there when invalid', () => {
    assert.throws(
      () => loadSignstashConfig(envWith({ SIGNSTASH_WIRE_PROFILE: '/nonexistent/p.json' })),
      /\/nonexistent\/p\.json is not readable JSON/,
    );
  });

  it('drives the client codec: request names, operation fields, states and the streamed result', async () => {
    const request = SignRequestBuilder.forReference('r1')
      .description('d')
      .addDocument({
        externalReference: 'r1-a',
        name: 'a.pdf',
        contentType: 'application/pdf',
        content: DocumentContent.fromBytes(Buffer.from('%PDF')),
        signature: { signatureType: 'PAdES' },
      })
      .build();
    const chunks: Buffer[] = [];
    for await (const chunk of signRequestBody(request, other.request)) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['reference', 'text', 'files']);

    const op = parseAsyncOperation(
      {
        operationId: 7,
        reference: 'r1',
        state: 'PARTIAL',
        hostName: '10.0.0.5',
        hostPort: '8081',
        created: '2026-01-01T00:00:00Z',
        count: 1,
      },
      other,
    );
    assert.deepEqual(
      [op.id, op.status, op.instance, op.documentCount, op.creationDate],
      ['7', 'EXECUTION_ERROR', { host: '10.0.0.5', port: 8081 }, 1, '2026-01-01T00:00:00Z'],
    );
    // The default profile's names mean nothing to this proxy: the answer is malformed, with the missing names.
    assert.throws(
      () =>
        parseAsyncOperation(
          { id: 'x', externalReference: 'r1', status: 'EXECUTED', host: 'h', port: 1, documentCount: 1 },
          other,
        ),
      /operation whose operationId, reference, state, hostName, hostPort, count are missing or not as profile other-proxy expects/,
    );

    const stored: Buffer[] = [];
    const result = await readSignResult(
      Readable.from([
        JSON.stringify({
          number: 9,
          state: 'DONE',
          docs: [{ ref: 'r1-a', state: 'OK', bytes: Buffer.from('signed').toString('base64') }],
        }),
      ]),
      async (_i, content) => {
        const parts: Buffer[] = [];
        for await (const c of content) parts.push(Buffer.from(c));
        stored.push(Buffer.concat(parts));
        return stored.length;
      },
      other,
    );
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.operationNumber, 9);
    assert.equal(result.documents[0].signStatus, 'SIGNED');
    assert.equal(stored[0].toString(), 'signed');
  });
});

function envWith(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SIGNSTASH_BASE_URL: 'http://127.0.0.1:1',
    SIGNSTASH_TOKEN_URL: 'http://127.0.0.1:2',
    SIGNSTASH_INSTANCE_ALLOWLIST: '127.0.0.1:3',
    SIGNSTASH_CLIENT_SERVICE_ID: 'PRT.1-PRT.2-x',
    SIGNSTASH_CLIENT_SECRET: 's',
    ...extra,
  };
}
