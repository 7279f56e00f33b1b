import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KeyRing } from '../../../src/codec/key-ring';
import type { IntegrationContext } from '../../../src/platform/integration';
import { createLogger } from '../../../src/logging/logger';
import { checkProfileAgainstOpenApi } from '../../../src/integrations/signstash/openapi-check';
import {
  defaultWireProfile,
  WireProfileError,
  type WireProfile,
} from '../../../src/integrations/signstash/wire-profile';
import { runSignstashCheck } from '../../../src/modules/signstash/cli';
import { signstashModule } from '../../../src/modules/signstash/module';
import {
  checkWireContract,
  SignstashWireMismatchError,
  verifySignstashAtWorkerStart,
} from '../../../src/modules/signstash/wire-check';
import type { SignstashSimulator } from '../../../src/simulators/signstash';
import { startWorkers } from '../../../src/worker/workers';
import { startSimulator } from './helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'ferje-signstash-profile-'));
let files = 0;
/** The default profile with one change, written where SIGNSTASH_WIRE_PROFILE can point. */
function profileFile(change: (p: WireProfile) => void): string {
  const profile = structuredClone(defaultWireProfile);
  change(profile);
  const file = path.join(dir, `profile-${files++}.json`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    logger: createLogger('test', 'INFO', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
  };
}

describe("Sign'Stash wire profile against the proxy's OpenAPI document (simulator over HTTP)", () => {
  let sim: SignstashSimulator;
  let silent: SignstashSimulator;
  before(async () => {
    sim = await startSimulator({ instances: 2 });
    silent = await startSimulator({ instances: 1, publishOpenApi: false });
  });
  after(async () => {
    await sim.stop();
    await silent.stop();
  });

  const settings = (profile: WireProfile = defaultWireProfile, s: SignstashSimulator = sim) => ({
    baseUrl: s.baseUrl,
    openApiUrl: undefined,
    wireProfile: profile,
    requestTimeoutMs: 5000,
  });

  it('finds the document at the springdoc default and confirms every endpoint, field and status value', async () => {
    const outcome = await checkWireContract(settings());
    assert.equal(outcome.kind, 'checked');
    if (outcome.kind !== 'checked') return;
    assert.equal(outcome.report.source, sim.openApiUrl);
    assert.deepEqual(outcome.report.mismatches, []);
    const confirmed = outcome.report.confirmed.join('\n');
    assert.match(
      confirmed,
      /start: POST \/signstash\/einvoice-integration-client-ws\/api\/v0\/async\/document\/sign\/base64 exists/,
    );
    assert.match(confirmed, /status: GET .*\/status\/\{externalReference\} exists/);
    assert.match(confirmed, /result: GET .*\/contentInResponse\/\{contentInResponse\} exists/);
    assert.match(confirmed, /status answer: has id, externalReference, status, host, port/);
    assert.match(confirmed, /status answer: enum has PENDING_EXECUTION, EXECUTED, EXECUTION_ERROR, EXECUTION_FAILED/);
    assert.match(
      confirmed,
      /result documentList\[\]: has externalReference, contentType, signStatus, signError, signedContent/,
    );
    assert.match(confirmed, /start request: has externalReference, description, documents, returnSignedContent/);
  });

  const mismatches: [string, (p: WireProfile) => void, RegExp][] = [
    ['a field renamed', (p) => void (p.operation.host = 'hostname'), /field "hostname" \(profile \/operation\/host\)/],
    [
      'a document field renamed',
      (p) => void (p.document.signedContent = 'content'),
      /result documentList\[\]: field "content" \(profile \/document\/signedContent\)/,
    ],
    ['a request field renamed', (p) => void (p.request.documents = 'files'), /start request: field "files"/],
    [
      'a status value the proxy does not have',
      (p) => void (p.statusValues.executed = 'DONE'),
      /status value "DONE" \(profile \/statusValues\/executed\) is not in the document's enum/,
    ],
    [
      'a path the proxy does not have',
      (p) => void (p.endpoints.status.path = '/api/v0/async/status/{externalReference}'),
      /status: GET .*\/api\/v0\/async\/status\/\{externalReference\} \(profile \/endpoints\/status\) is not in the document/,
    ],
    [
      'a wrong method',
      (p) => void (p.endpoints.start.method = 'GET'),
      /start: .* exists but not with GET \(it has POST\)/,
    ],
    [
      'a single object where the proxy answers a list',
      (p) => void (p.endpoints.status.answer = 'object'),
      /profile \/endpoints\/status\/answer is "object" but the document answers a list/,
    ],
  ];
  for (const [label, change, expected] of mismatches) {
    it(`reports ${label} as a mismatch`, async () => {
      const profile = structuredClone(defaultWireProfile);
      change(profile);
      const outcome = await checkWireContract(settings(profile));
      assert.equal(outcome.kind, 'checked');
      if (outcome.kind !== 'checked') return;
      assert.ok(
        outcome.report.mismatches.some((m) => expected.test(m)),
        outcome.report.mismatches.join('\n'),
      );
    });
  }

  it("refuses to start the Sign'Stash worker on a mismatch, before connecting to Temporal", async () => {
    const env = { ...sim.env(), SIGNSTASH_WIRE_PROFILE: profileFile((p) => void (p.operation.port = 'hostPort')) };
    const ctx = { env, logger: createLogger('test', 'ERROR') } as unknown as IntegrationContext;
    const err = await startWorkers({
      temporal: { connectionOptions: { address: '127.0.0.1:1' }, namespace: 'unused', address: '127.0.0.1:1' },
      ctx,
      keyRing: {} as KeyRing,
      integrations: [signstashModule],
      source: { workflowsPath: 'unused' },
      shutdownGraceTime: '1s',
    }).catch((e: unknown) => e);
    assert.ok(err instanceof SignstashWireMismatchError, String(err));
    assert.match(err.message, /field "hostPort" \(profile \/operation\/port\)/);
    assert.match(err.message, /The Sign'Stash worker does not start/);
  });

  it('starts with the default profile, and with a warning when the proxy publishes no document', async () => {
    const ok = capturingLogger();
    await verifySignstashAtWorkerStart(sim.env(), ok.logger);
    assert.ok(ok.lines.some((l) => l.level === 'INFO' && /matches the proxy's OpenAPI document/.test(String(l.msg))));
    const none = capturingLogger();
    await verifySignstashAtWorkerStart(silent.env(), none.logger);
    const warning = none.lines.find((l) => l.level === 'WARN');
    assert.ok(warning, 'a warning');
    assert.match(String(warning.msg), /publishes no OpenAPI document/);
    assert.match(
      String(warning.tried),
      /\/v3\/api-docs \(HTTP 401\).*\/v2\/api-docs.*\/swagger\.json.*\/openapi\.json/,
    );
  });

  it('refuses an invalid profile, and a configured OpenAPI URL that serves nothing, with precise messages', async () => {
    const { logger } = capturingLogger();
    const bad = profileFile((p) => {
      p.endpoints.status.path = '/api/v0/async/operation/status';
      (p.operation as Record<string, unknown>).hots = 'host';
    });
    const err = await verifySignstashAtWorkerStart({ ...sim.env(), SIGNSTASH_WIRE_PROFILE: bad }, logger).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof WireProfileError, String(err));
    assert.match(err.message, new RegExp(`wire profile ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is invalid`));
    assert.match(err.message, /\/operation has unknown field "hots"/);
    const unreadable = await verifySignstashAtWorkerStart(
      { ...sim.env(), SIGNSTASH_WIRE_PROFILE: path.join(dir, 'missing.json') },
      logger,
    ).catch((e: unknown) => e);
    assert.ok(unreadable instanceof WireProfileError);
    assert.match(unreadable.message, /missing\.json is not readable JSON/);
    const nowhere = await verifySignstashAtWorkerStart(
      { ...silent.env(), SIGNSTASH_OPENAPI_URL: `${silent.baseUrl}/docs/api.json` },
      logger,
    ).catch((e: unknown) => e);
    assert.ok(nowhere instanceof SignstashWireMismatchError, String(nowhere));
    assert.match(nowhere.message, /SIGNSTASH_OPENAPI_URL serves no OpenAPI document: .*\/docs\/api\.json \(HTTP 401\)/);
  });

  it('`ferje signstash-check` prints what it confirmed and exits non-zero on a mismatch or without a document', async () => {
    const out: string[] = [];
    const print = (text: string): void => void out.push(text);
    assert.equal(await runSignstashCheck([], sim.env(), print), 0);
    assert.match(out[0], /ok {8}start: POST .* exists/);
    assert.match(out[0], /Confirmed: \d+ item\(s\), no mismatch\./);
    const file = profileFile((p) => void (p.result.documents = 'documents'));
    assert.equal(await runSignstashCheck(['--profile', file], sim.env(), print), 1);
    assert.match(out[1], /MISMATCH {2}result answer: field "documents" \(profile \/result\/documents\)/);
    assert.match(out[1], /1 mismatch\(es\): the Sign'Stash worker would refuse to start\./);
    assert.equal(await runSignstashCheck(['--base-url', silent.baseUrl], {}, print), 3);
    assert.match(out[2], /No OpenAPI document found/);
  });

  it('reads Swagger 2 documents (springfox) with basePath and definitions', () => {
    const op = (props: string[]) => ({
      type: 'object',
      properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])),
    });
    const operation = {
      ...op([
        'id',
        'externalReference',
        'host',
        'port',
        'creationDate',
        'lastUpdateDate',
        'documentCount',
        'signedCount',
        'error',
      ]),
    };
    (operation.properties as Record<string, unknown>).status = {
      type: 'string',
      enum: ['PENDING_EXECUTION', 'EXECUTED'],
    };
    const doc = {
      swagger: '2.0',
      basePath: '/signstash/einvoice-integration-client-ws',
      paths: {
        '/api/v0/async/document/sign/base64/': {
          post: {
            parameters: [{ in: 'body', name: 'r', schema: { $ref: '#/definitions/Req' } }],
            responses: { '200': { schema: { $ref: '#/definitions/Op' } } },
          },
        },
        '/api/v0/async/operation/status/{ref}': {
          get: { responses: { '200': { schema: { type: 'array', items: { $ref: '#/definitions/Op' } } } } },
        },
      },
      definitions: { Req: op(['externalReference', 'description', 'documents', 'returnSignedContent']), Op: operation },
    };
    const report = checkProfileAgainstOpenApi(defaultWireProfile, doc, 'inline');
    assert.ok(
      report.confirmed.some((c) => c.startsWith('start: POST')),
      report.confirmed.join('\n'),
    );
    assert.ok(report.confirmed.some((c) => c.startsWith('status: GET')));
    assert.ok(report.mismatches.some((m) => m.startsWith('result: GET') && m.endsWith('is not in the document')));
    assert.ok(
      report.mismatches.some((m) =>
        /status value "EXECUTION_ERROR" \(profile \/statusValues\/executionError\)/.test(m),
      ),
    );
    assert.equal(report.mismatches.length, 1 + 2 * 2, report.mismatches.join('\n'));
  });
});
