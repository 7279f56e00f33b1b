import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../src/logging/logger';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import {
  SIMULATOR_KEYSTORE_PASSPHRASE,
  startPostenSimulator,
  type RunningPostenSimulator,
} from '../../../src/simulators/posten-signering';
import { ensurePostenJavaClient } from '../../harness/posten-java-client';
import { opensslVerifyDetachedCms, pdfSignature, xmlsec1VerifyDetached } from '../../harness/signed-documents';

const SENDER = '333444555';

function runJava(java: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Java client did not finish in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Posten's official Java client (Maven Central, the version in java-client/pom.xml) runs its documented portal flow
 * against the simulator over mutual TLS, with no workaround: its own server-certificate checks (chain to the
 * configured CA, Posten's organisation number), its XAdES bundle signing, its poll-time parsing and its download
 * Accept headers. What it downloads must verify with xmlsec1 and openssl, and an empty document gets Posten's error.
 */
describe("posten signering simulator: Posten's official Java client runs against it", () => {
  let sim: RunningPostenSimulator;
  let work: string;
  let result: { code: number | null; output: string };
  let caPem: string;

  before(async () => {
    const client = ensurePostenJavaClient();
    work = mkdtempSync(path.join(tmpdir(), 'ferje-posten-java-'));
    sim = await startPostenSimulator({
      dataDir: path.join(work, 'sim'),
      logger: createLogger('test', 'ERROR'),
      senders: [SENDER],
      persistState: false,
      rules: { emptyQueuePollDelayMs: 300 },
      autopilot: { mode: 'sign', delayMs: 300 },
    });
    caPem = readFileSync(sim.env.POSTEN_SIGNERING_TRUSTED_ROOTS_FILE, 'utf8');
    // The Java client loads every file of a trust folder as a certificate: the CA alone.
    const trust = path.join(work, 'trust');
    mkdirSync(trust);
    copyFileSync(sim.env.POSTEN_SIGNERING_TRUSTED_ROOTS_FILE, path.join(trust, 'ca.pem'));
    const out = path.join(work, 'out');
    mkdirSync(out);
    const pdf = path.join(work, 'contract.pdf');
    writeFileSync(pdf, demoPdf('Signed with the Java client'));
    result = await runJava(
      client.java,
      [
        '-cp',
        client.classpath,
        client.mainClass,
        sim.rootUrl,
        SENDER,
        sim.keystores[SENDER],
        SIMULATOR_KEYSTORE_PASSPHRASE,
        trust,
        pdf,
        out,
      ],
      120_000,
    );
  });
  after(() => sim?.stop());

  const lines = (key: string): string[] =>
    result.output
      .split('\n')
      .filter((l) => l.startsWith(`${key} `) || l === key)
      .map((l) => l.slice(key.length + 1));

  it('creates, polls, downloads and confirms the job through to COMPLETED_SUCCESSFULLY', () => {
    assert.equal(result.code, 0, result.output);
    assert.equal(lines('CREATED').length, 1, result.output);
    assert.ok(lines('CONFIRMED').includes('COMPLETED_SUCCESSFULLY'), result.output);
    assert.deepEqual(lines('PADES'), ['pades.pdf'], result.output);
    assert.ok(Number(lines('XADES')[0]) >= 2, result.output);
    assert.equal(sim.model.stats.creates, 1);
    assert.ok(sim.model.stats.confirms >= 1);
    assert.equal(sim.model.stats.http429, 0, 'the client honoured every permitted poll time');
  });

  it('what it downloaded verifies: each XAdES with xmlsec1, the PAdES with openssl cms', () => {
    const out = path.join(work, 'out');
    const jobId = lines('CREATED')[0];
    const documents = sim.model.jobs.get(jobId)!.documents;
    const xadesFiles = readdirSync(out).filter((f) => f.startsWith('xades-'));
    assert.ok(xadesFiles.length >= 2);
    for (const f of xadesFiles) {
      const verdict = xmlsec1VerifyDetached(documents, readFileSync(path.join(out, f)), caPem);
      assert.ok(verdict.ok, `${f}: ${verdict.output}`);
    }
    const sig = pdfSignature(readFileSync(path.join(out, 'pades.pdf')));
    const verdict = opensslVerifyDetachedCms(sig.cms, sig.signedContent, caPem);
    assert.ok(verdict.ok, verdict.output);
  });

  it('an empty document is refused at create with the error Posten answers (400, error body, CLIENT)', () => {
    assert.deepEqual(lines('EMPTY_REJECTED'), ['400 INVALID_DOCUMENT CLIENT'], result.output);
    assert.equal(sim.model.stats.creates, 1, 'no job was created for it');
  });
});
