import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PostenSignatureJobInput } from '../../../src/contract/posten-signering';
import { validatePostenJob } from '../../../src/contract/posten-signering';
import {
  buildJobRequestXml,
  buildManifestXml,
  documentEntryName,
} from '../../../src/integrations/posten-signering/job-xml';
import { parsePollTime, formatPollTime } from '../../../src/integrations/posten-signering/poll-time';
import {
  parseErrorBody,
  parseJobCreatedResponse,
  parseStatusChange,
} from '../../../src/integrations/posten-signering/response-xml';
import { validatePortalXml } from '../../../src/integrations/posten-signering/xsd';
import { maskPersonalData } from '../../../src/integrations/posten-signering/client';

const examples = path.join(__dirname, '..', '..', 'fixtures', 'posten-signering');
const example = (name: string): string => readFileSync(path.join(examples, name), 'utf8');
const blob = { sha256: 'a'.repeat(64), size: 10 };

function fullJob(): PostenSignatureJobInput {
  return {
    sender: '123456789',
    reference: 'case-2024:17',
    pollingQueue: 'hr-department',
    title: 'Employment contract & annex <A>',
    nonsensitiveTitle: 'Contract',
    description: 'Please sign both documents',
    documents: [
      { title: 'Contract', fileName: 'Kontrakt 2024 (endelig).pdf', content: blob },
      { title: 'Annex', fileName: 'annex.pdf', mediaType: 'application/pdf', content: blob },
    ],
    signers: [
      {
        personalIdentificationNumber: '01013300001',
        order: 0,
        signatureType: 'AUTHENTICATED_ELECTRONIC_SIGNATURE',
        notificationsUsingLookup: { sms: true },
        onBehalfOf: 'SELF',
      },
      {
        personalIdentificationNumber: '02038412546',
        order: 1,
        notifications: { email: 'a@example.com', mobile: '+4799999999' },
      },
      { order: 1, notifications: { mobile: '+4798888888' }, onBehalfOf: 'OTHER' },
      { order: 2, notifications: { email: 'c@example.com' }, signatureType: 'ADVANCED_ELECTRONIC_SIGNATURE' },
    ],
    requiredAuthentication: '4',
    availability: { activationTime: '2026-02-10T12:00:00+01:00', availableSeconds: 864000 },
    identifierInSignedDocuments: 'DATE_OF_BIRTH_AND_NAME',
  };
}

describe('posten signering XML: what the client writes is valid against the official XSDs', () => {
  it('a job using every option: request and manifest validate, in the XSD element order', async () => {
    const job = fullJob();
    assert.deepEqual(validatePostenJob(job), []);
    const request = buildJobRequestXml(job);
    const manifest = buildManifestXml(job);
    const result = await validatePortalXml([
      { name: 'request.xml', xml: request },
      { name: 'manifest.xml', xml: manifest },
    ]);
    assert.deepEqual(result.errors, []);
    assert.ok(result.valid);
    const order = [
      '<signers>',
      '<sender>',
      '<title>',
      '<nonsensitive-title>',
      '<description>',
      '<documents>',
      '<required-authentication>',
      '<availability>',
      '<identifier-in-signed-documents>',
    ];
    const positions = order.map((tag) => manifest.indexOf(tag));
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    assert.ok(!positions.includes(-1));
    assert.match(
      manifest,
      /<identified-by-contact-information\/><notifications><sms number="\+4798888888"\/><\/notifications><on-behalf-of>OTHER/,
    );
    assert.match(manifest, /<notifications-using-lookup><email\/><sms\/><\/notifications-using-lookup>/);
    assert.match(manifest, /Employment contract &amp; annex &lt;A&gt;/);
    assert.match(request, /<reference>case-2024:17<\/reference><polling-queue>hr-department<\/polling-queue>/);
  });

  it('a minimal job (one signer, defaults) validates too', async () => {
    const job: PostenSignatureJobInput = {
      sender: '987654321',
      reference: 'r',
      title: 'T',
      documents: [{ title: 'D', fileName: 'x.pdf', content: blob }],
      signers: [{ personalIdentificationNumber: '12345678910', notifications: { email: 'x@example.com' } }],
    };
    const result = await validatePortalXml([
      { name: 'request.xml', xml: buildJobRequestXml(job) },
      { name: 'manifest.xml', xml: buildManifestXml(job) },
    ]);
    assert.ok(result.valid, result.errors.join('\n'));
  });

  it('the validator really rejects what the XSD forbids (wrong order, bad PIN)', async () => {
    const manifest = buildManifestXml(fullJob())
      .replace('<title>Employment', '<titleX>Employment')
      .replace('01013300001', '0101');
    const result = await validatePortalXml([{ name: 'manifest.xml', xml: manifest }]);
    assert.equal(result.valid, false);
  });

  it('entry names are unique, 4-100 characters and URL-safe', () => {
    assert.equal(documentEntryName(0, 'Kontrakt 2024 (endelig).pdf'), '0000_kontrakt_2024_endelig_.pdf');
    assert.equal(documentEntryName(12, '../../etc/passwd'), '0012_etc_passwd');
    assert.ok(documentEntryName(3, `${'å'.repeat(300)}.pdf`).length <= 100);
  });

  it('the official examples validate with the copied XSDs', async () => {
    const result = await validatePortalXml(
      [
        'manifest.xml',
        'manifest-signer-without-pin.xml',
        'manifest-specify-signtype-and-auth.xml',
        'request.xml',
        'response.xml',
        'status-change-response.xml',
      ].map((name) => ({ name, xml: example(name) })),
    );
    assert.ok(result.valid, result.errors.join('\n'));
  });
});

describe('posten signering XML: reading Posten', () => {
  it('parses the official status-change examples namespace-aware, with PIN and contact-information signers', () => {
    const change = parseStatusChange(example('status-change-response.xml'), '2026-01-01T00:00:00Z');
    assert.equal(change.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(change.signatures.length, 1);
    assert.equal(change.signatures[0].status, 'SIGNED');
    assert.equal(change.signatures[0].personalIdentificationNumber, '12345678910');
    assert.ok(change.signatures[0].xadesUrl);
    assert.ok(change.padesUrl);
    const byContact = parseStatusChange(example('status-change-response-signer-without-pin.xml'), 'x');
    assert.equal(byContact.status, 'COMPLETED_SUCCESSFULLY');
    assert.equal(byContact.signatures[1].email, 'test@example.com');
    assert.equal(byContact.signatures[1].mobile, '12345678');
    const response = parseJobCreatedResponse(example('response.xml'));
    assert.match(response.signatureJobId, /^\d+$/);
    assert.ok(response.cancellationUrl.startsWith('https://'));
  });

  it('accepts other prefixes and unused namespace declarations; refuses DOCTYPEs and unknown job statuses', () => {
    const prefixed = example('status-change-response.xml')
      .replace(/<(\/?)([a-z-]+)/g, '<$1p:$2')
      .replace(
        '<p:portal-signature-job-status-change-response xmlns="',
        '<p:portal-signature-job-status-change-response xmlns:ns2="urn:x" xmlns:p="',
      );
    assert.equal(parseStatusChange(prefixed, 'x').signatures.length, 1);
    assert.throws(
      () => parseStatusChange(`<!DOCTYPE x [<!ENTITY a "b">]>${example('status-change-response.xml')}`, 'x'),
      /DOCTYPE/,
    );
    assert.throws(
      () => parseStatusChange(example('status-change-response.xml').replace('COMPLETED_SUCCESSFULLY', 'PAUSED'), 'x'),
      /job status/,
    );
  });

  it('keeps unknown signer statuses (open string)', () => {
    const change = parseStatusChange(example('status-change-response.xml').replace('>SIGNED<', '>NEW_STATUS<'), 'x');
    assert.equal(change.signatures[0].status, 'NEW_STATUS');
  });

  it('reads error bodies, and copes with non-XML ones', () => {
    const error = parseErrorBody(
      '<error xmlns="http://signering.posten.no/schema/v1"><error-code>SCHEMA_VALIDATION_ERROR</error-code><error-message>bad</error-message><error-type>CLIENT</error-type></error>',
    );
    assert.deepEqual(error, { code: 'SCHEMA_VALIDATION_ERROR', message: 'bad', type: 'CLIENT' });
    assert.equal(parseErrorBody('Bad Gateway'), undefined);
  });

  it('parses X-Next-permitted-poll-time in Java and .NET formats', () => {
    assert.equal(parsePollTime('2024-05-01T12:00:30.0000000+02:00'), Date.parse('2024-05-01T10:00:30Z'));
    assert.equal(parsePollTime('2024-05-01T12:00:30+02:00'), Date.parse('2024-05-01T10:00:30Z'));
    assert.equal(parsePollTime('2024-05-01T10:00:30.123Z'), Date.parse('2024-05-01T10:00:30.123Z'));
    assert.equal(parsePollTime('tomorrow'), undefined);
    assert.equal(parsePollTime(formatPollTime(1_700_000_000_123, 60)), 1_700_000_000_123);
  });

  it('masks what looks personal in partner messages', () => {
    const masked = maskPersonalData("Element 'personal-identification-number': '0101330000' is not valid; a@b.no");
    assert.ok(!masked.includes('0101330000'));
    assert.ok(!masked.includes('a@b.no'));
  });
});

describe('posten signering: job validation names fields, never values', () => {
  it('reports every broken rule', () => {
    const job = fullJob();
    job.sender = '12345';
    job.reference = 'has space';
    job.pollingQueue = '_reserved';
    job.description = 'x'.repeat(221);
    job.documents = [];
    job.signers[0].notifications = { email: 'x@example.com' };
    job.signers[1].personalIdentificationNumber = '0203841254';
    job.signers[2].notificationsUsingLookup = {};
    job.availability = { activationTime: '2026-02-10 12:00', availableSeconds: 7_776_001 };
    const problems = validatePostenJob(job);
    const paths = problems.map((p) => p.path);
    for (const p of [
      '/sender',
      '/reference',
      '/pollingQueue',
      '/description',
      '/documents',
      '/signers/0',
      '/signers/1/personalIdentificationNumber',
      '/signers/2',
      '/availability/activationTime',
      '/availability/availableSeconds',
    ]) {
      assert.ok(paths.includes(p), `expected a problem at ${p}; got ${paths.join(', ')}`);
    }
    assert.ok(!JSON.stringify(problems).includes('0203841254'));
  });
});
