import type { PostenSignatureJobInput, PostenSigner } from '../../contract/posten-signering';
import { escapeAttr, escapeText, optionalElement, XML_DECLARATION } from './xml/escape';
import { NS } from './xml/dom';

/** A document as it goes into the bundle: its entry name (the manifest's `href`) and media type. */
export interface BundleDocumentEntry {
  href: string;
  title: string;
  mediaType: string;
}

/**
 * Entry names in the zip: `0000_<file name reduced to a-z 0-9 . _ ->` like the Java client, so the names are unique,
 * 4-100 characters (the XSD's limits) and need no URL encoding in the signature's references.
 */
export function documentEntryName(index: number, fileName: string): string {
  const reduced = fileName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-90);
  return `${String(index).padStart(4, '0')}_${reduced || 'document.pdf'}`;
}

export function bundleEntries(job: PostenSignatureJobInput): BundleDocumentEntry[] {
  return job.documents.map((doc, i) => ({
    href: documentEntryName(i, doc.fileName),
    title: doc.title,
    mediaType: doc.mediaType ?? 'application/pdf',
  }));
}

/** `portal-signature-job-request`: reference, then polling queue (XSD order). */
export function buildJobRequestXml(job: Pick<PostenSignatureJobInput, 'reference' | 'pollingQueue'>): string {
  return (
    `${XML_DECLARATION}<portal-signature-job-request xmlns="${NS.posten}">` +
    optionalElement('reference', job.reference) +
    optionalElement('polling-queue', job.pollingQueue) +
    '</portal-signature-job-request>'
  );
}

/** `manifest.xml`: signers, sender, title, non-sensitive title, description, documents, then the optional settings. */
export function buildManifestXml(job: PostenSignatureJobInput, entries = bundleEntries(job)): string {
  const parts: string[] = [`${XML_DECLARATION}<portal-signature-job-manifest xmlns="${NS.posten}">`, '<signers>'];
  for (const signer of job.signers) parts.push(signerXml(signer));
  parts.push('</signers>');
  parts.push(`<sender><organization-number>${escapeText(job.sender)}</organization-number></sender>`);
  parts.push(optionalElement('title', job.title));
  parts.push(optionalElement('nonsensitive-title', job.nonsensitiveTitle));
  parts.push(optionalElement('description', job.description));
  parts.push('<documents>');
  for (const entry of entries) {
    parts.push(
      `<document href="${escapeAttr(entry.href)}" mime="${escapeAttr(entry.mediaType)}">` +
        `<title>${escapeText(entry.title)}</title></document>`,
    );
  }
  parts.push('</documents>');
  parts.push(optionalElement('required-authentication', job.requiredAuthentication));
  if (job.availability) {
    parts.push(
      '<availability>' +
        optionalElement('activation-time', job.availability.activationTime) +
        optionalElement('available-seconds', job.availability.availableSeconds) +
        '</availability>',
    );
  }
  parts.push(optionalElement('identifier-in-signed-documents', job.identifierInSignedDocuments));
  parts.push('</portal-signature-job-manifest>');
  return parts.join('');
}

function signerXml(signer: PostenSigner): string {
  // The Java client always writes `order` (default 0); so do we, so that "all in one group" is explicit.
  const parts = [`<signer order="${signer.order ?? 0}">`];
  parts.push(
    signer.personalIdentificationNumber !== undefined
      ? optionalElement('personal-identification-number', signer.personalIdentificationNumber)
      : '<identified-by-contact-information/>',
  );
  parts.push(optionalElement('signature-type', signer.signatureType));
  if (signer.notificationsUsingLookup) {
    parts.push(
      `<notifications-using-lookup><email/>${signer.notificationsUsingLookup.sms ? '<sms/>' : ''}</notifications-using-lookup>`,
    );
  } else {
    const { email, mobile } = signer.notifications ?? {};
    parts.push(
      '<notifications>' +
        (email !== undefined ? `<email address="${escapeAttr(email)}"/>` : '') +
        (mobile !== undefined ? `<sms number="${escapeAttr(mobile)}"/>` : '') +
        '</notifications>',
    );
  }
  parts.push(optionalElement('on-behalf-of', signer.onBehalfOf));
  parts.push('</signer>');
  return parts.join('');
}
