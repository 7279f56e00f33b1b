import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { PostenSignatureJobInput } from '../../../src/contract/posten-signering';
import {
  buildDocumentBundle,
  readDocumentBundle,
  SIGNATURES_ENTRY,
} from '../../../src/integrations/posten-signering/bundle';
import { demoPdf } from '../../../src/modules/posten-signering/demo';
import { loadPkcs12, type EnterpriseKeystore } from '../../../src/integrations/posten-signering/keystore';
import { verifyBundleSignature } from '../../../src/integrations/posten-signering/xades/verify';
import { canonicalize } from '../../../src/integrations/posten-signering/xml/c14n';
import { findById, parseXml } from '../../../src/integrations/posten-signering/xml/dom';
import { validateSignaturesXml } from '../../../src/integrations/posten-signering/xsd';
import { createTestPki, type TestPki } from '../../../src/simulators/posten-signering/test-pki';
import { xmlsec1VerifyDetached as xmlsec1Verify } from '../../harness/signed-documents';

describe('posten signering: the ASiC-E bundle and its XAdES signature', () => {
  let pki: TestPki;
  let keystore: EnterpriseKeystore;
  const job: PostenSignatureJobInput = {
    sender: '123456789',
    reference: 'xades-1',
    title: 'Contract',
    documents: [
      { title: 'Contract', fileName: 'contract.pdf', content: { sha256: 'a'.repeat(64), size: 1 } },
      { title: 'Annex æøå', fileName: 'Annex (1).pdf', content: { sha256: 'b'.repeat(64), size: 1 } },
    ],
    signers: [{ personalIdentificationNumber: '12345678910', notifications: { email: 'x@example.com' } }],
  };
  const documents = [demoPdf('contract'), demoPdf('annex')];

  before(() => {
    pki = createTestPki();
    keystore = loadPkcs12(pki.enterprise('123456789', 'pw'), 'pw');
  });

  it('has the documents, manifest.xml and META-INF/signatures.xml, in that order, and nothing else', () => {
    const bundle = buildDocumentBundle(job, documents, keystore, new Date());
    assert.deepEqual(bundle.entries, ['0000_contract.pdf', '0001_annex_1_.pdf', 'manifest.xml', SIGNATURES_ENTRY]);
    const files = readDocumentBundle(bundle.zip);
    assert.deepEqual([...files.keys()], bundle.entries);
    assert.ok(!files.has('mimetype') && !files.has('META-INF/manifest.xml'));
  });

  it("verifies with xmlsec1 (independent) against the test CA, and with the simulator's verifier", async () => {
    const bundle = buildDocumentBundle(job, documents, keystore, new Date());
    const files = readDocumentBundle(bundle.zip);
    const signaturesXml = Buffer.from(files.get(SIGNATURES_ENTRY)!).toString('utf8');
    files.delete(SIGNATURES_ENTRY);
    const independent = xmlsec1Verify(files, signaturesXml, pki.caCertPem);
    assert.ok(independent.ok, independent.output);
    assert.match(independent.output, /SignedInfo References \(ok\/all\): 4\/4/);
    const own = verifyBundleSignature(signaturesXml, {
      files,
      now: new Date(),
      signingTimeToleranceMs: 5000,
      trustedIssuers: [new X509Certificate(pki.caCertPem)],
    });
    assert.ok(own.valid, own.problem);
    const schema = await validateSignaturesXml(signaturesXml);
    assert.ok(schema.valid, schema.errors.join('\n'));
  });

  it('has the structure the profile asks for: algorithms, SHA-1 certificate digest, issuer/serial, data object formats', () => {
    const { signaturesXml } = buildDocumentBundle(job, documents, keystore, new Date('2026-01-02T03:04:05.678Z'));
    const cert = keystore.certificate;
    assert.match(signaturesXml, /^<\?xml[^>]*\?><XAdESSignatures xmlns="http:\/\/uri.etsi.org\/2918\/v1.2.1#"/);
    assert.match(signaturesXml, /<ds:Signature Id="Signature">/);
    assert.match(
      signaturesXml,
      /CanonicalizationMethod Algorithm="http:\/\/www.w3.org\/TR\/2001\/REC-xml-c14n-20010315"/,
    );
    assert.match(signaturesXml, /SignatureMethod Algorithm="http:\/\/www.w3.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
    assert.match(
      signaturesXml,
      /<ds:Reference Id="ID_0" URI="0000_contract.pdf"><ds:DigestMethod Algorithm="http:\/\/www.w3.org\/2001\/04\/xmlenc#sha256"\/>/,
    );
    assert.match(signaturesXml, /<ds:Reference Id="ID_2" URI="manifest.xml">/);
    assert.match(
      signaturesXml,
      /Type="http:\/\/uri.etsi.org\/01903#SignedProperties" URI="#SignedProperties"><ds:Transforms><ds:Transform Algorithm="http:\/\/www.w3.org\/TR\/2001\/REC-xml-c14n-20010315"\/><\/ds:Transforms>/,
    );
    assert.ok(
      signaturesXml.includes(
        `<ds:DigestValue>${createHash('sha1').update(cert.raw).digest('base64')}</ds:DigestValue>`,
      ),
    );
    assert.ok(
      signaturesXml.includes(
        `<ds:X509SerialNumber>${BigInt(`0x${cert.serialNumber}`).toString(10)}</ds:X509SerialNumber>`,
      ),
    );
    assert.match(signaturesXml, /<ds:X509IssuerName>CN=Ferje Test CA, O=Ferje Test, C=NO<\/ds:X509IssuerName>/);
    assert.match(signaturesXml, /<xades:SigningTime>2026-01-02T03:04:05.678Z<\/xades:SigningTime>/);
    assert.match(signaturesXml, /ObjectReference="#ID_2"><xades:MimeType>application\/xml</);
    assert.equal((signaturesXml.match(/<ds:X509Certificate>/g) ?? []).length, 2, 'leaf and CA in KeyInfo');
  });

  it('digests SignedProperties in its final namespace context (a free-standing digest would differ)', () => {
    const { signaturesXml } = buildDocumentBundle(job, documents, keystore, new Date());
    const doc = parseXml(signaturesXml);
    const sp = findById(doc.documentElement!, 'SignedProperties')!;
    const inContext = createHash('sha256').update(canonicalize(sp)).digest('base64');
    const alone = new DOMParser().parseFromString(
      new XMLSerializer().serializeToString(sp),
      'text/xml',
    ).documentElement!;
    const freeStanding = createHash('sha256').update(canonicalize(alone)).digest('base64');
    assert.notEqual(inContext, freeStanding, 'the ancestors contribute xmlns and xmlns:ds');
    assert.ok(signaturesXml.includes(`<ds:DigestValue>${inContext}</ds:DigestValue>`));
    assert.match(
      canonicalize(sp),
      /^<xades:SignedProperties xmlns="http:\/\/uri.etsi.org\/2918\/v1.2.1#" xmlns:ds="http:\/\/www.w3.org\/2000\/09\/xmldsig#" xmlns:xades="http:\/\/uri.etsi.org\/01903\/v1.3.2#" Id="SignedProperties">/,
    );
  });

  it('tampering is caught by both verifiers: a changed document, a changed SigningTime, another certificate', () => {
    const bundle = buildDocumentBundle(job, documents, keystore, new Date());
    const files = readDocumentBundle(bundle.zip);
    const signaturesXml = Buffer.from(files.get(SIGNATURES_ENTRY)!).toString('utf8');
    files.delete(SIGNATURES_ENTRY);
    const opts = {
      now: new Date(),
      signingTimeToleranceMs: 5000,
      trustedIssuers: [new X509Certificate(pki.caCertPem)],
    };

    const changedDoc = new Map(files);
    changedDoc.set('0000_contract.pdf', demoPdf('contract, amended'));
    assert.equal(xmlsec1Verify(changedDoc, signaturesXml, pki.caCertPem).ok, false);
    assert.equal(verifyBundleSignature(signaturesXml, { ...opts, files: changedDoc }).valid, false);

    const changedTime = signaturesXml.replace(
      /<xades:SigningTime>[^<]+</,
      '<xades:SigningTime>2020-01-01T00:00:00.000Z<',
    );
    assert.equal(xmlsec1Verify(files, changedTime, pki.caCertPem).ok, false);
    assert.equal(verifyBundleSignature(changedTime, { ...opts, files }).valid, false);

    const otherPki = createTestPki();
    assert.equal(xmlsec1Verify(files, signaturesXml, otherPki.caCertPem).ok, false, 'untrusted CA');
    const check = verifyBundleSignature(signaturesXml, {
      ...opts,
      files,
      trustedIssuers: [new X509Certificate(otherPki.caCertPem)],
    });
    assert.equal(check.valid, false);
  });
});
