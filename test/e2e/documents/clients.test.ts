import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  DocumentsApiError,
  getDocument,
  putDocument,
  saveDocument,
  startFlowWithDocuments,
  type DocumentsApi,
} from '../../../src/client/documents';
import { projectDir } from '../../../src/config/ferje-config';
import type { BlobRef } from '../../../src/contract/blob-ref';
import { defineFlow } from '../../../src/contract/flow';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { getTestEnv } from '../../harness/temporal';
import { startApiRig, type ApiRig } from './harness';

const run = promisify(execFile);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('documents clients: TypeScript helpers and the ferje CLI', () => {
  let rig: ApiRig;
  let api: DocumentsApi;
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-doc-clients-'));

  before(async () => {
    rig = await startApiRig((await getTestEnv()).client);
    api = { url: rig.api.url, apiKey: rig.keys.archive };
  });
  after(async () => {
    await rig.close();
  });

  it('putDocument / getDocument / saveDocument stream a document both ways, ranges included', async () => {
    const content = randomBytes(100_000);
    const file = path.join(dir, 'in.bin');
    writeFileSync(file, content);
    const ref = await putDocument(api, file, {
      mediaType: 'application/pdf',
      fileName: 'in.pdf',
      expectedSha256: sha(content),
    });
    assert.deepEqual(ref, {
      sha256: sha(content),
      size: content.length,
      mediaType: 'application/pdf',
      fileName: 'in.pdf',
    });
    const part = await getDocument(api, ref.sha256, { range: { start: 10, end: 19 } });
    assert.equal(part.status, 206);
    assert.deepEqual(await buffer(part.body), content.subarray(10, 20));
    const saved = await saveDocument(api, ref.sha256, path.join(dir, 'out.bin'));
    assert.equal(saved.fileName, 'in.pdf');
    assert.deepEqual(readFileSync(path.join(dir, 'out.bin')), content);
    await assert.rejects(putDocument({ url: api.url }, Buffer.from('x')), (err: unknown) => {
      assert.ok(err instanceof DocumentsApiError);
      assert.equal(err.status, 401);
      return true;
    });
  });

  it('startFlowWithDocuments uploads the inputs and starts the flow with this caller in FerjeCaller', async () => {
    const env = await getTestEnv();
    const reference = randomUUID();
    const flow = defineFlow<{ reference: string; document: BlobRef }, void>({
      name: 'documents-test',
      workflowType: 'documentsTestFlow',
      taskQueue: `documents-test-${reference}`,
      integration: 'signstash',
      inputTypeName: 'x',
      outputTypeName: 'void',
      description: 'test',
      workflowId: (input) => `documents-test/${input.reference}`,
      externalReference: (input) => input.reference,
      summary: () => 'test',
    });
    const content = Buffer.from('%PDF-1.4 contract');
    const started = await startFlowWithDocuments(
      env.client,
      api,
      flow,
      { contract: { content, mediaType: 'application/pdf' } },
      (docs) => ({ reference, document: docs.contract }),
    );
    assert.equal(started.documents.contract.sha256, sha(content));
    const described = await started.handle.describe();
    assert.equal(described.typedSearchAttributes.get(searchAttributes.caller), 'archive');
    assert.equal(described.typedSearchAttributes.get(searchAttributes.integration), 'signstash');
    assert.equal(described.typedSearchAttributes.get(searchAttributes.externalReference), reference);
    await started.handle.terminate('test done');
  });

  it('ferje documents put / get', async () => {
    const content = randomBytes(3000);
    const file = path.join(dir, 'cli.pdf');
    writeFileSync(file, content);
    const env = { ...process.env, FERJE_DOCUMENTS_URL: rig.api.url, FERJE_DOCUMENTS_API_KEY: rig.keys.archive };
    const cli = (args: string[], e = env) =>
      run(process.execPath, ['--import', 'tsx', path.join(projectDir, 'src/cli/main.ts'), 'documents', ...args], {
        cwd: projectDir,
        env: e,
      });
    const put = await cli(['put', file, '--media-type', 'application/pdf']);
    const ref = JSON.parse(put.stdout.trim()) as BlobRef;
    assert.equal(ref.sha256, sha(content));
    assert.equal(ref.mediaType, 'application/pdf');
    const out = path.join(dir, 'cli-out.pdf');
    await cli(['get', ref.sha256, '--out', out]);
    assert.deepEqual(readFileSync(out), content);
    await assert.rejects(
      cli(['get', ref.sha256, '--out', out], { ...env, FERJE_DOCUMENTS_API_KEY: rig.keys['case-system'] }),
      /404/,
    );
  });
});
