import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toFailure } from '../../../activities/posten-signering/failures';
import type { PostenSignatureJobInput } from '../../../src/contract/posten-signering';
import { validatePostenJob } from '../../../src/contract/posten-signering';
import { buildDocumentBundle } from '../../../src/integrations/posten-signering/bundle';
import { PostenSignatureClient } from '../../../src/integrations/posten-signering/client';
import { PostenApiError, PostenMalformedResponseError } from '../../../src/integrations/posten-signering/errors';
import { buildJobRequestXml } from '../../../src/integrations/posten-signering/job-xml';
import { organizationNumberOf } from '../../../src/integrations/posten-signering/keystore';
import { validateSignaturesXml } from '../../../src/integrations/posten-signering/xsd';
import { createLogger } from '../../../src/logging/logger';
import { loadPostenConfig } from '../../../src/modules/posten-signering/config';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import { startPostenSimulator, type RunningPostenSimulator } from '../../../src/simulators/posten-signering';
import {
  opensslPrintCms,
  opensslVerifyDetachedCms,
  pdfSignature,
  popplerReadPdf,
  xmlsec1VerifyDetached,
} from '../../harness/signed-documents';

const SENDER = '222333444';
const logger = createLogger('test', 'ERROR');
const POSTEN_ORG = '984661185';

const job = (reference: string, sizes = [1, 1]): PostenSignatureJobInput => ({
  sender: SENDER,
  reference,
  title: 'Contract',
  documents: sizes.map((size, i) => ({
    title: `Part ${i + 1}`,
    fileName: `part-${i + 1}.pdf`,
    content: { sha256: 'a'.repeat(64), size },
  })),
  signers: [
    { personalIdentificationNumber: '12345678910', notifications: { email: 'x@example.com' } },
    { personalIdentificationNumber: '10987654321', notifications: { email: 'y@example.com' } },
  ],
});

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * What the simulator serves after signing is checked by tools that share no code with it: xmlsec1 for the XAdES,
 * OpenSSL's CMS verifier for the PDF signature over its /ByteRange. Downloads go through Ferje's client over mTLS.
 */
describe('posten signering simulator: signed documents are real signatures (xmlsec1, openssl cms)', () => {
  let sim: RunningPostenSimulator;
  let client: PostenSignatureClient;
  let dataDir: string;
  let caPem: string;
  let documents: Map<string, Uint8Array>;
  let xades: Buffer[];
  let pades: Buffer;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-posten-signed-'));
    // One merged change with both signers' signatures: this suite is about the documents, not the queue (the queue's
    // every-change default would deliver the first signer's change first; change-queue.test.ts covers that).
    sim = await startPostenSimulator({
      dataDir,
      logger,
      senders: [SENDER],
      persistState: false,
      rules: { changeQueue: 'latest-per-job' },
    });
    caPem = readFileSync(sim.env.POSTEN_SIGNERING_TRUSTED_ROOTS_FILE, 'utf8');
    client = new PostenSignatureClient(loadPostenConfig(sim.env), logger);
    const input = job('signed-1');
    const files = [demoPdf('first part'), demoPdf('second part')];
    const bundle = buildDocumentBundle(input, files, client.keystore!, new Date());
    const created = await client.createPortalJob(SENDER, buildJobRequestXml(input), bundle.zip);
    sim.model.sign(created.signatureJobId, 1);
    sim.model.sign(created.signatureJobId, 2);
    documents = sim.model.jobs.get(created.signatureJobId)!.documents;
    const poll = await client.pollStatusChange(SENDER);
    assert.equal(poll.kind, 'change');
    if (poll.kind !== 'change') return;
    xades = [];
    for (const s of poll.change.signatures)
      xades.push(await readAll(await client.download(SENDER, s.xadesUrl!, 'xades')));
    pades = await readAll(await client.download(SENDER, poll.change.padesUrl!, 'pades'));
  });
  after(async () => {
    await client.close();
    await sim.stop();
  });

  it("each signer's XAdES verifies with xmlsec1 against the documents and is an ETSI XAdESSignatures document", async () => {
    assert.equal(documents.size, 2);
    assert.equal(xades.length, 2);
    for (const x of xades) {
      const verdict = xmlsec1VerifyDetached(documents, x, caPem);
      assert.ok(verdict.ok, verdict.output);
      // Both documents and the SignedProperties: nothing the signature claims went unchecked.
      assert.match(verdict.output, /SignedInfo References \(ok\/all\): 3\/3/);
      const schema = await validateSignaturesXml(x.toString('utf8'));
      assert.ok(schema.valid, schema.errors.join('\n'));
    }
    assert.notDeepEqual(xades[0], xades[1], 'one XAdES per signer');
  });

  it("the XAdES is signed with Posten's seal, not with its TLS certificate", () => {
    const sealPem = readFileSync(path.join(dataDir, 'seal-cert.pem'), 'utf8');
    const inKeyInfo = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xades[0].toString('utf8'))![1];
    const cert = new X509Certificate(Buffer.from(inKeyInfo, 'base64'));
    assert.ok(cert.raw.equals(new X509Certificate(sealPem).raw));
    assert.equal(organizationNumberOf(cert), POSTEN_ORG);
    const tls = new X509Certificate(readFileSync(path.join(dataDir, 'server-cert.pem'), 'utf8'));
    assert.ok(!cert.raw.equals(tls.raw));
  });

  it('a changed document no longer verifies against the XAdES', () => {
    const changed = new Map(documents);
    const [name, bytes] = [...changed][0];
    const copy = Buffer.from(bytes);
    copy[copy.length - 2] ^= 1;
    changed.set(name, copy);
    assert.equal(xmlsec1VerifyDetached(changed, xades[0], caPem).ok, false);
  });

  it('the PAdES is a PDF whose ETSI.CAdES.detached signature verifies with openssl cms over its ByteRange', () => {
    assert.equal(pades.subarray(0, 8).toString('latin1'), '%PDF-1.7');
    assert.match(pades.subarray(-6).toString('latin1'), /%%EOF\n$/);
    const sig = pdfSignature(pades);
    assert.equal(sig.subFilter, 'ETSI.CAdES.detached');
    const [a, b, c, d] = sig.byteRange;
    assert.equal(a, 0);
    assert.equal(c + d, pades.length, 'the signature covers the file to its end');
    const verdict = opensslVerifyDetachedCms(sig.cms, sig.signedContent, caPem);
    assert.ok(verdict.ok, verdict.output);
    assert.match(verdict.output, /Verification successful/);
    const printed = opensslPrintCms(sig.cms);
    assert.match(printed, /signingCertificateV2/);
    assert.match(printed, /messageDigest/);
    assert.doesNotMatch(printed, /signingTime/, 'PAdES keeps the time in /M, not in the CMS');
    assert.ok(b > 0 && c - b === pades.indexOf('>', b) + 1 - b);
  });

  it('poppler reads it as a signed PDF: a valid signature over the whole file, the documents and XAdES attached', () => {
    const read = popplerReadPdf(pades);
    assert.match(read.signatures, /Signature Type: ETSI\.CAdES\.detached/);
    assert.match(read.signatures, /Total document signed/);
    assert.match(read.signatures, /Signature Validation: Signature is Valid\./);
    assert.match(read.signatures, /Signer Certificate Common Name: Posten Bring AS \(test seal\)/);
    assert.deepEqual(
      read.attachments.sort(),
      [...documents.keys(), 'signature-1-xades.xml', 'signature-2-xades.xml'].sort(),
    );
    const changed = Buffer.from(pades);
    // One letter of the cover page's text: the file still parses, the signature no longer matches.
    changed[pades.indexOf('(Posten signering') + 1] ^= 0x20;
    assert.match(popplerReadPdf(changed).signatures, /Signature Validation: Digest Mismatch/);
  });

  it('a changed byte inside the ByteRange breaks the PDF signature', () => {
    const sig = pdfSignature(pades);
    const changed = Buffer.from(sig.signedContent);
    changed[20] ^= 1;
    assert.equal(opensslVerifyDetachedCms(sig.cms, changed, caPem).ok, false);
  });

  it('the PAdES carries the documents and every XAdES, and a second download gives the same bytes', async () => {
    for (const bytes of documents.values()) assert.ok(pades.includes(Buffer.from(bytes)), 'document embedded');
    for (const x of xades) assert.ok(pades.includes(x), 'XAdES embedded');
    const again = await readAll(await client.download(SENDER, sim.rootUrl + padesPath(), 'pades'));
    assert.ok(again.equals(pades));
  });

  it('Ferje refuses a 2xx download in another media type (an XML body where the PDF belongs), retryable', async () => {
    // The simulator's malformedXml fault answers 200 with a broken XML body: what a confused gateway could send.
    sim.faults.add({ route: 'download', kind: 'malformedXml' });
    const err = await client.download(SENDER, sim.rootUrl + padesPath(), 'pades').catch((e: unknown) => e);
    assert.ok(err instanceof PostenMalformedResponseError, String(err));
    assert.match(err.message, /PADES download as application\/xml/);
    assert.equal(toFailure(err).nonRetryable, false, 'retried: the change is not confirmed on a wrong document');
    const again = await readAll(await client.download(SENDER, sim.rootUrl + padesPath(), 'pades'));
    assert.ok(again.equals(pades));
  });

  function padesPath(): string {
    const id = [...sim.model.jobs.keys()][0];
    return `/${SENDER}/portal/signature-jobs/${id}/pades`;
  }
});

describe('posten signering simulator: download media types as the official Java client asks for them', () => {
  let sim: RunningPostenSimulator;
  let jobUrl: string;
  before(async () => {
    sim = await startPostenSimulator({
      dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-posten-media-')),
      logger,
      senders: [SENDER],
      mutualTls: false,
      persistState: false,
    });
    const created = sim.model.createJob({
      sender: SENDER,
      signers: [{ order: 0, pin: '12345678910' }],
      documents: new Map([['doc.pdf', demoPdf('media')]]),
    });
    sim.model.sign(created.id, 1);
    jobUrl = `${sim.rootUrl}/${SENDER}/portal/signature-jobs/${created.id}`;
  });
  after(() => sim.stop());

  const get = (url: string, accept?: string) => fetch(url, { headers: accept ? { accept } : {} });

  it('XAdES is application/xml (getXAdES asks for application/xml)', async () => {
    const res = await get(`${jobUrl}/xades/1`, 'application/xml');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.match(await res.text(), /^<\?xml[^>]*\?><XAdESSignatures xmlns="http:\/\/uri.etsi.org\/2918\/v1.2.1#"/);
  });

  it('PAdES is application/octet-stream (getPAdES asks for application/octet-stream, application/xml)', async () => {
    const res = await get(`${jobUrl}/pades`, 'application/octet-stream, application/xml');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );
  });

  it('an Accept that excludes the served type gets 406 with an error body; none or */* gets the document', async () => {
    const refused = await get(`${jobUrl}/pades`, 'application/pdf');
    assert.equal(refused.status, 406);
    assert.match(await refused.text(), /<error-code>NOT_ACCEPTABLE<\/error-code>/);
    assert.equal((await get(`${jobUrl}/xades/1`, 'application/octet-stream')).status, 406);
    assert.equal((await get(`${jobUrl}/pades`)).status, 200);
    assert.equal((await get(`${jobUrl}/pades`, '*/*')).status, 200);
    assert.equal((await get(`${jobUrl}/xades/1`, 'text/html, application/*;q=0.9')).status, 200);
  });
});

describe('posten signering: an empty document', () => {
  let sim: RunningPostenSimulator;
  let client: PostenSignatureClient;
  before(async () => {
    sim = await startPostenSimulator({
      dataDir: mkdtempSync(path.join(tmpdir(), 'ferje-posten-empty-')),
      logger,
      senders: [SENDER],
      persistState: false,
    });
    client = new PostenSignatureClient(loadPostenConfig(sim.env), logger);
  });
  after(async () => {
    await client.close();
    await sim.stop();
  });

  it('the simulator refuses it at create with 400 and an error body, and creates no job', async () => {
    const input = job('empty-1', [1, 0]);
    const bundle = buildDocumentBundle(input, [demoPdf('full'), Buffer.alloc(0)], client.keystore!, new Date());
    const err = await client.createPortalJob(SENDER, buildJobRequestXml(input), bundle.zip).catch((e: unknown) => e);
    assert.ok(err instanceof PostenApiError, String(err));
    assert.equal(err.httpStatus, 400);
    assert.equal(err.errorCode, 'INVALID_DOCUMENT');
    assert.equal(err.errorType, 'CLIENT');
    assert.equal(sim.model.stats.creates, 0);
  });

  it('Ferje refuses it before anything is sent, naming the field', () => {
    const problems = validatePostenJob(job('empty-2', [1, 0]));
    assert.deepEqual(problems, [{ path: '/documents/1/content', problem: 'is empty' }]);
  });
});
