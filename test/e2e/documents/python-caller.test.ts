import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectDir } from '../../../src/config/ferje-config';
import { newApiKey } from '../../../src/documents/api-keys';
import { FsReferenceLedger } from '../../../src/documents/fs-ledger';
import { testKeyFilePath } from '../../harness/keys';
import { freePort } from '../../harness/ports';
import { spawnTs } from '../../harness/processes';
import { ensurePythonCaller } from '../../harness/python-caller';

interface Fetched {
  sha256: string;
  status: number;
  verified?: boolean;
  sizeMatches?: boolean;
  contentType?: string;
  head?: string;
}

interface CallerReport {
  caller: string;
  posten: { workflowId: string; status: string; pades: Fetched | null; xades: Fetched[]; signers: number };
  eformidling: { workflowId: string; finalStatus: string; files: Fetched[] };
  signstash: { workflowId: string; status: string; signed: Fetched[]; documents: number };
  incoming: { workflowId: string; messageId: string; asic: Fetched; sbd: Fetched; otherCallerOnAsic: number };
  otherCallerOnPades: number;
}

function runPython(python: string, script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 360_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
  });
}

/**
 * A calling system in another language, on "another machine": a Python program (Temporal's Python SDK, httpx, and
 * its own implementation of Ferje's codec) that hands documents over and gets signed ones back through the documents
 * API only. Ferje runs in its own process with its own data folder; the Python side never sees that folder.
 */
describe('a Python caller through the documents API', () => {
  it('uploads, starts Posten, eFormidling and Sign’Stash flows, and downloads what they produced', async () => {
    const { python, pythonPath } = ensurePythonCaller();
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-pycaller-'));
    const caller = newApiKey();
    const other = newApiKey();
    const keysFile = path.join(dir, 'documents-keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({ callers: { 'python-archive': [caller.hash], 'other-system': [other.hash] } }),
    );
    const stack = spawnTs('test/e2e/documents/stack-process.ts', [], {
      ...process.env,
      FERJE_DATA_DIR: path.join(dir, 'ferje-data'),
      FERJE_CODEC_KEY_FILE: testKeyFilePath,
      FERJE_CODEC_KEYS: '',
      FERJE_DEV_TEMPORAL_PORT: String(await freePort()),
      FERJE_DEV_UI_PORT: String(await freePort()),
      FERJE_CODEC_SERVER_PORT: '0',
      FERJE_INGRESS_PORT: String(await freePort()),
      FERJE_DEV_SIMULATOR_BASE_PORT: '0',
      FERJE_DOCUMENTS_PORT: '0',
      FERJE_DOCUMENTS_KEYS_FILE: keysFile,
      // The calling system that consumes incoming eFormidling messages (and reads them through the API).
      EFORMIDLING_INBOX_CALLER: 'python-archive',
    });
    try {
      await stack.waitFor(/^STACK /m, 240_000);
      const started = JSON.parse(/^STACK (.*)$/m.exec(stack.output())![1]) as Record<string, string>;
      const codecKeys = JSON.parse(readFileSync(testKeyFilePath, 'utf8')) as {
        activeKeyId: string;
        keys: Record<string, string>;
      };
      const config = {
        ...started,
        apiKey: caller.key,
        otherApiKey: other.key,
        codecKeyId: codecKeys.activeKeyId,
        codecKey: codecKeys.keys[codecKeys.activeKeyId],
        schemasIndex: path.join(projectDir, 'schemas', 'index.json'),
      };
      const run = await runPython(python, path.join(__dirname, 'python', 'ferje_caller.py'), {
        PATH: process.env.PATH,
        PYTHONPATH: pythonPath,
        PYTHONDONTWRITEBYTECODE: '1',
        HOME: dir,
        FERJE_CALLER_CONFIG: JSON.stringify(config),
      });
      const line = /^RESULT (.*)$/m.exec(run.out);
      assert.ok(line, `the Python caller reported (exit ${run.code}):\n${run.out.slice(-4000)}`);
      const report = JSON.parse(line[1]) as CallerReport;
      console.log(`Python caller report: ${line[1]}`);
      assert.equal(report.caller, 'python-archive');

      assert.equal(report.posten.status, 'COMPLETED_SUCCESSFULLY');
      assert.ok(report.posten.pades, 'a PAdES came back');
      assert.equal(report.posten.pades.status, 200);
      assert.equal(report.posten.pades.verified, true);
      assert.equal(report.posten.pades.head, '%PDF-');
      assert.equal(report.posten.xades.length, report.posten.signers);
      for (const xades of report.posten.xades) {
        assert.equal(xades.status, 200);
        assert.equal(xades.verified, true);
        assert.equal(xades.sizeMatches, true);
        assert.equal(xades.head, '<?xml');
      }
      assert.equal(report.otherCallerOnPades, 404, 'another calling system cannot read the signed PAdES');

      assert.match(report.eformidling.finalStatus, /^(LEVERT|LEST)$/);
      assert.deepEqual(
        report.eformidling.files.map((f) => [f.status, f.verified]),
        [
          [200, true],
          [200, true],
        ],
      );

      assert.equal(report.signstash.status, 'EXECUTED');
      assert.equal(report.signstash.signed.length, report.signstash.documents);
      for (const signed of report.signstash.signed) {
        assert.equal(signed.status, 200);
        assert.equal(signed.verified, true);
        assert.equal(signed.head, '%PDF-');
      }

      // An incoming message, found by the caller through FerjeCaller on its consumer flow and read through the API.
      assert.equal(report.incoming.workflowId, `eformidling-incoming/${report.incoming.messageId}`);
      assert.deepEqual([report.incoming.asic.status, report.incoming.asic.verified], [200, true]);
      assert.ok((report.incoming.asic.head ?? '').startsWith('PK\u0003\u0004'), 'the ASiC-E is a zip container');
      assert.equal(report.incoming.asic.contentType, 'application/vnd.etsi.asic-e+zip');
      assert.deepEqual([report.incoming.sbd.status, report.incoming.sbd.verified], [200, true]);
      assert.equal(report.incoming.otherCallerOnAsic, 404, 'another calling system cannot read the incoming message');

      // Behind the API: the workers recorded each flow as a holder of what it stored or sent (authorisation and
      // retention rest on this), next to the caller's own upload records.
      const ledger = new FsReferenceLedger(path.join(dir, 'ferje-data', 'blobs', 'ledger'));
      const holders = async (sha256: string): Promise<string[]> =>
        (await ledger.holders(sha256)).map((r) =>
          r.holder.kind === 'caller' ? r.holder.callerId : r.holder.workflowId,
        );
      assert.deepEqual(await holders(report.posten.pades.sha256), [report.posten.workflowId]);
      for (const file of report.eformidling.files)
        assert.deepEqual((await holders(file.sha256)).sort(), [report.eformidling.workflowId, 'python-archive'].sort());
      for (const signed of report.signstash.signed)
        assert.ok((await holders(signed.sha256)).includes(report.signstash.workflowId));
      // The incoming message is held by its consumer flow alone, never by the inbox that never closes.
      for (const document of [report.incoming.asic, report.incoming.sbd])
        assert.deepEqual(await holders(document.sha256), [report.incoming.workflowId]);
    } finally {
      stack.child.kill('SIGTERM');
      await stack.exited;
    }
  });
});
