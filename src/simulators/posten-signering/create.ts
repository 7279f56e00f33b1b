import type { X509Certificate } from 'node:crypto';
import { MANIFEST_ENTRY, readDocumentBundle, SIGNATURES_ENTRY } from '../../integrations/posten-signering/bundle';
import { parseMultipart } from '../../integrations/posten-signering/multipart';
import { verifyBundleSignature } from '../../integrations/posten-signering/xades/verify';
import { child, childElements, childText, parseXml, NS } from '../../integrations/posten-signering/xml/dom';
import { validatePortalXml } from '../../integrations/posten-signering/xsd';
import { SimulatorError, type PostenModel, type SimJob, type SimSigner } from './model';

const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/**
 * Handles `POST /{org}/portal/signature-jobs` the way Posten does: two parts told apart by Content-Type, request and
 * manifest validated against the XSDs, the bundle's entries checked against the manifest, the XAdES signature
 * verified, then a job created. Error codes other than SCHEMA_VALIDATION_ERROR are the simulator's own.
 */
export async function handleCreate(
  model: PostenModel,
  sender: string,
  contentType: string,
  body: Buffer,
  trustedIssuers: X509Certificate[] | undefined,
  /** When the request arrived: SigningTime is judged against it, not against the end of a validation queue. */
  receivedAt: Date = new Date(),
): Promise<SimJob> {
  if (!/^multipart\/mixed/i.test(contentType)) {
    throw new SimulatorError(415, 'INVALID_CONTENT_TYPE', 'expected multipart/mixed');
  }
  let parts;
  try {
    parts = parseMultipart(body, contentType);
  } catch (err) {
    throw new SimulatorError(400, 'INVALID_MULTIPART', (err as Error).message);
  }
  const xmlPart = parts.find((p) => /^application\/xml/i.test(p.headers['content-type'] ?? ''));
  const zipPart = parts.find((p) => /^application\/octet-stream/i.test(p.headers['content-type'] ?? ''));
  if (!xmlPart || !zipPart || parts.length !== 2) {
    throw new SimulatorError(
      400,
      'INVALID_MULTIPART',
      'expected one application/xml and one application/octet-stream part',
    );
  }
  const requestXml = xmlPart.body.toString('utf8');
  let files: Map<string, Uint8Array>;
  try {
    files = readDocumentBundle(zipPart.body);
  } catch {
    throw new SimulatorError(400, 'INVALID_DOCUMENT_BUNDLE', 'the document bundle is not a zip file');
  }
  const manifestBytes = files.get(MANIFEST_ENTRY);
  if (!manifestBytes) throw new SimulatorError(400, 'INVALID_DOCUMENT_BUNDLE', 'manifest.xml is missing');
  const manifestXml = Buffer.from(manifestBytes).toString('utf8');
  if (model.rules.schemaValidation) {
    const result = await validatePortalXml([
      { name: 'request.xml', xml: requestXml },
      { name: 'manifest.xml', xml: manifestXml },
    ]);
    if (!result.valid) {
      throw new SimulatorError(400, 'SCHEMA_VALIDATION_ERROR', result.errors.slice(0, 3).join('; ') || 'invalid XML');
    }
  }
  let request, manifest;
  try {
    request = parseXml(requestXml).documentElement!;
    manifest = parseXml(manifestXml).documentElement!;
  } catch (err) {
    throw new SimulatorError(400, 'SCHEMA_VALIDATION_ERROR', (err as Error).message);
  }
  if (request.localName !== 'portal-signature-job-request' || manifest.localName !== 'portal-signature-job-manifest') {
    throw new SimulatorError(400, 'SCHEMA_VALIDATION_ERROR', 'not a portal signature job request and manifest');
  }
  const senderEl = child(manifest, NS.posten, 'sender');
  if (senderEl && childText(senderEl, NS.posten, 'organization-number') !== sender) {
    throw new SimulatorError(400, 'SENDER_MISMATCH', 'the manifest sender differs from the sender in the URL');
  }
  if (files.has('mimetype') || files.has('META-INF/manifest.xml')) {
    throw new SimulatorError(
      400,
      'INVALID_DOCUMENT_BUNDLE',
      'the bundle must not contain mimetype or META-INF/manifest.xml',
    );
  }
  const signaturesXml = files.get(SIGNATURES_ENTRY);
  if (!signaturesXml) throw new SimulatorError(400, 'INVALID_DOCUMENT_BUNDLE', 'META-INF/signatures.xml is missing');
  const hrefs = documentHrefs(manifest);
  const documents = new Map<string, Uint8Array>();
  for (const href of hrefs) {
    const bytes = files.get(href);
    if (!bytes) throw new SimulatorError(400, 'INVALID_DOCUMENT_BUNDLE', 'a document named in the manifest is missing');
    if (bytes.length > MAX_DOCUMENT_BYTES)
      throw new SimulatorError(400, 'DOCUMENT_TOO_LARGE', 'a document exceeds 10 MB');
    // Posten signs PDFs only; an empty file is no PDF and is refused before a job exists (no signer is notified).
    if (bytes.length === 0) throw new SimulatorError(400, 'INVALID_DOCUMENT', 'a document is empty');
    documents.set(href, bytes);
  }
  const signed = new Map([...files].filter(([name]) => !name.startsWith('META-INF/')));
  if (signed.size !== hrefs.length + 1) {
    throw new SimulatorError(400, 'INVALID_DOCUMENT_BUNDLE', 'the bundle holds files the manifest does not name');
  }
  if (model.rules.signatureCheck) {
    const check = verifyBundleSignature(Buffer.from(signaturesXml).toString('utf8'), {
      files: signed,
      now: receivedAt,
      signingTimeToleranceMs: model.rules.signingTimeToleranceMs,
      trustedIssuers,
    });
    if (!check.valid) throw new SimulatorError(400, 'INVALID_SIGNATURE', check.problem ?? 'invalid signature');
  }
  const availability = child(manifest, NS.posten, 'availability');
  const activation = availability ? childText(availability, NS.posten, 'activation-time') : undefined;
  const seconds = availability ? childText(availability, NS.posten, 'available-seconds') : undefined;
  if (seconds !== undefined && Number(seconds) > 7_776_000) {
    throw new SimulatorError(400, 'INVALID_AVAILABILITY', 'available-seconds exceeds 90 days');
  }
  return model.createJob({
    sender,
    reference: childText(request, NS.posten, 'reference'),
    queue: childText(request, NS.posten, 'polling-queue') ?? '',
    signers: signers(manifest),
    activationAt: activation ? Date.parse(activation) : undefined,
    availableSeconds: seconds !== undefined ? Number(seconds) : undefined,
    documents,
  });
}

function documentHrefs(manifest: ReturnType<typeof child> & object): string[] {
  const documents = child(manifest, NS.posten, 'documents');
  const legacy = child(manifest, NS.posten, 'document');
  const list = documents ? childElements(documents, NS.posten, 'document') : legacy ? [legacy] : [];
  return list.map((d) => d.getAttribute('href') ?? '');
}

function signers(
  manifest: ReturnType<typeof child> & object,
): Omit<SimSigner, 'number' | 'status' | 'since' | 'xades'>[] {
  const signersEl = child(manifest, NS.posten, 'signers');
  return (signersEl ? childElements(signersEl, NS.posten, 'signer') : []).map((s) => {
    const notifications = child(s, NS.posten, 'notifications');
    const out: Omit<SimSigner, 'number' | 'status' | 'since' | 'xades'> = {
      order: Number(s.getAttribute('order') ?? '0'),
    };
    const pin = childText(s, NS.posten, 'personal-identification-number');
    if (pin) out.pin = pin;
    if (notifications) {
      const email = child(notifications, NS.posten, 'email')?.getAttribute('address');
      const mobile = child(notifications, NS.posten, 'sms')?.getAttribute('number');
      if (email) out.email = email;
      if (mobile) out.mobile = mobile;
    }
    return out;
  });
}
