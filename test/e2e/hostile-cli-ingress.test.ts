import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FsBlobStore } from '../../src/blobs/fs-blob-store';
import { loadFerjeConfig } from '../../src/config/ferje-config';
import { signatureOperationFlow, type SignatureOperationInput } from '../../src/contract/signstash';
import { startIngress, type RunningIngress } from '../../src/ingress/server';
import { createLogger } from '../../src/logging/logger';
import type { IntegrationContext } from '../../src/platform/integration';
import { selectIntegrations } from '../../src/platform/registry';
import { runFerjeCli } from '../harness/processes';
import { getTestEnv } from '../harness/temporal';

const WEBHOOK_TOKEN = 'hostile-test-token-0123456789abcdefghij';
const MESSAGE_ID = '9a1d2c3e-4b5f-4a6b-8c7d-0e1f2a3b4c5d';

/**
 * Hostile callers of the two doors into Ferje that are not workflow code: `ferje start` (a separate CLI process) and
 * the ingress (real HTTP). Every case gets a clear, typed answer — an exit code and words for the CLI, an HTTP status
 * and a JSON error for the ingress — and no workflow is started.
 */
describe('hostile CLI and ingress callers (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-hostile-cli-'));
  const ref = `hostile-${Date.now().toString(36)}`;
  const input: SignatureOperationInput = {
    clientServiceId: 'PRT.505767457-PRT.123654123-84dd8c',
    externalReference: ref,
    description: 'Hostile CLI caller',
    documents: [
      {
        externalReference: `${ref}-d0`,
        name: 'a.pdf',
        contentType: 'application/pdf',
        content: { base64: Buffer.from('%PDF-1.7\n%%EOF\n').toString('base64') },
        signatureType: 'PAdES',
      },
    ],
  };
  before(async () => {
    env = await getTestEnv();
  });

  async function ferjeStart(content: string): Promise<{ code: number | null; output: string }> {
    const file = path.join(dir, `input-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    return runFerjeCli(env.address, ['start', signatureOperationFlow.name, '--input', file]);
  }

  async function notStarted(workflowId: string): Promise<void> {
    await assert.rejects(env.client.workflow.getHandle(workflowId).describe(), /not found/i);
  }

  it('ferje start with null: exit 2, "(input) must be an object"', async () => {
    const { code, output } = await ferjeStart('null');
    assert.equal(code, 2, output);
    assert.match(output, /Not started: Invalid input for signstash-sign: \(input\) must be an object/);
  });

  it('ferje start with {}: exit 2 naming the missing fields, no "Invalid search attribute value undefined"', async () => {
    const { code, output } = await ferjeStart('{}');
    assert.equal(code, 2, output);
    assert.match(output, /\/clientServiceId must be/);
    assert.match(output, /\/documents must hold at least one document/);
    assert.doesNotMatch(output, /search attribute/i);
  });

  it('ferje start with garbage: exit 2, cannot read as JSON', async () => {
    const { code, output } = await ferjeStart('{"clientServiceId": ');
    assert.equal(code, 2, output);
    assert.match(output, /Cannot read .* as JSON/);
  });

  it('ferje start with a national identity number as reference: exit 2, the number never echoed', async () => {
    const { code, output } = await ferjeStart(JSON.stringify({ ...input, externalReference: '01018000055' }));
    assert.equal(code, 2, output);
    assert.match(output, /\/externalReference looks like a national identity number/);
    assert.doesNotMatch(output, /01018000055/);
  });

  it('ferje start with an input above Temporal’s blob limit: exit 2 saying so, nothing started', async () => {
    const big = { ...input, externalReference: `${ref}-big` };
    big.documents = Array.from({ length: 2500 }, (_, i) => ({
      externalReference: `${ref}-big-${i}`,
      name: `${'n'.repeat(240)}-${i}.pdf`,
      contentType: 'application/pdf' as const,
      content: { blob: { sha256: 'a'.repeat(64), size: 1 } },
      signatureType: 'PAdES' as const,
      reason: 'r'.repeat(255),
      location: 'l'.repeat(255),
    }));
    const { code, output } = await ferjeStart(JSON.stringify(big));
    assert.equal(code, 2, output);
    assert.match(output, /Temporal refuses more than 2097152 bytes per start/);
    assert.doesNotMatch(output, /Failed to start Workflow/);
    await notStarted(signatureOperationFlow.workflowId(big));
  });

  it('ferje start twice: the same input exits 0 and names the flow; a different input exits 3 as a conflict', async () => {
    const first = await ferjeStart(JSON.stringify(input));
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /Started: signstash\//);
    const same = await ferjeStart(JSON.stringify(input));
    assert.equal(same.code, 0, same.output);
    assert.match(same.output, /Already exists \(same input\): signstash\//);
    const different = await ferjeStart(JSON.stringify({ ...input, description: 'Another text' }));
    assert.equal(different.code, 3, different.output);
    assert.match(
      different.output,
      /Conflict: .* already exists .* with a different input; the new input was NOT started/,
    );
    await env.client.workflow.getHandle(signatureOperationFlow.workflowId(input)).terminate('test done');
  });

  it('ferje start of an unknown flow: exit 2 with the known flows', async () => {
    const { code, output } = await runFerjeCli(env.address, ['start', 'no-such-flow', '--input', 'x.json']);
    assert.equal(code, 2);
    assert.match(output, /Unknown flow "no-such-flow"; known: .*signstash-sign/);
  });

  describe('ingress routes', () => {
    let ingress: RunningIngress;
    before(async () => {
      const envVars = { ...process.env, EFORMIDLING_WEBHOOK_TOKEN: WEBHOOK_TOKEN, FERJE_DATA_DIR: dir };
      const config = loadFerjeConfig(envVars);
      const ctx: IntegrationContext = {
        config,
        env: envVars,
        client: env.client,
        namespace: 'default',
        blobStore: new FsBlobStore(path.join(dir, 'blobs')),
        logger: createLogger('hostile-ingress', 'ERROR'),
      };
      ingress = await startIngress({
        client: env.client,
        routes: selectIntegrations(['eformidling']).flatMap((i) => i.ingressRoutes?.(ctx) ?? []),
        host: '127.0.0.1',
        port: 0,
        maxBodyBytes: 1024 * 1024,
        logger: createLogger('hostile-ingress', 'ERROR'),
      });
    });
    after(async () => {
      await ingress.close();
    });

    const post = async (pathname: string, body: string | Buffer, contentType = 'application/json') => {
      const res = await fetch(`${ingress.url}${pathname}`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      return { status: res.status, body: (await res.json()) as { error?: string } };
    };
    const webhook = `/webhooks/eformidling/${WEBHOOK_TOKEN}`;
    const statusEvent = JSON.stringify({ event: 'status', messageId: MESSAGE_ID, status: 'LEVERT' });

    it('a garbage body: 400 "the body must be a JSON event"', async () => {
      const res = await post(webhook, '{"event": "status", ');
      assert.deepEqual(res, { status: 400, body: { error: 'the body must be a JSON event' } });
    });

    it('a form-encoded body (wrong content type): 400, not parsed as anything', async () => {
      const res = await post(webhook, `event=status&messageId=${MESSAGE_ID}`, 'application/x-www-form-urlencoded');
      assert.deepEqual(res, { status: 400, body: { error: 'the body must be a JSON event' } });
    });

    it('an oversized body: 413 before the route reads it', async () => {
      const res = await post(webhook, Buffer.alloc(200 * 1024, 0x20));
      assert.equal(res.status, 413);
      assert.match(String(res.body.error), /too large|exceeds|limit/i);
    });

    it('a missing or wrong path token: 404, the same answer as an unknown route', async () => {
      const wrong = await post('/webhooks/eformidling/not-the-token-0123456789abcdefghijklmn', statusEvent);
      assert.deepEqual(wrong, { status: 404, body: { error: 'no such route' } });
      const missing = await post('/webhooks/eformidling/', statusEvent);
      assert.equal(missing.status, 404);
    });

    it('a status event with a messageId that is not a UUID: 400 naming the field', async () => {
      const res = await post(webhook, JSON.stringify({ event: 'status', messageId: '../../etc', status: 'LEVERT' }));
      assert.deepEqual(res, { status: 400, body: { error: 'messageId must be a UUID' } });
    });

    it('a status event with an unknown status: 400, and no workflow was started for the message', async () => {
      const res = await post(webhook, JSON.stringify({ event: 'status', messageId: MESSAGE_ID, status: 'PWNED' }));
      assert.deepEqual(res, { status: 400, body: { error: 'unknown status' } });
      await notStarted(`eformidling-message/${MESSAGE_ID}`);
    });

    it('a JSON array or a bare string as the event: answered, never a workflow', async () => {
      for (const body of ['[]', '"status"', '42']) {
        const res = await post(webhook, body);
        assert.ok([200, 400].includes(res.status), `${body}: ${res.status}`);
      }
      await notStarted(`eformidling-message/${MESSAGE_ID}`);
    });

    // Found by this suite (it answered 500 before the eFormidling route parsed events defensively).
    it('a JSON null as the event: a 400 naming the rule, not an internal error', async () => {
      const res = await post(webhook, 'null');
      assert.deepEqual(res, { status: 400, body: { error: 'the body must be a JSON object' } });
      await notStarted(`eformidling-message/${MESSAGE_ID}`);
    });
  });
});
