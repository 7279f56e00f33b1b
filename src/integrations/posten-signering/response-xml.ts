import type { PortalJobStatus, PostenStatusChange, StatusChangeSignature } from '../../contract/posten-signering';
import {
  child,
  childElements,
  childText,
  parseXml,
  requireChild,
  requireChildText,
  NS,
  XmlParseError,
} from './xml/dom';

export interface JobCreatedResponse {
  reference?: string;
  signatureJobId: string;
  cancellationUrl: string;
}

export interface PostenErrorBody {
  code: string;
  message: string;
  type: string;
}

const JOB_STATUSES: readonly string[] = ['IN_PROGRESS', 'COMPLETED_SUCCESSFULLY', 'FAILED'];
const LONG = /^-?[0-9]{1,19}$/;

function root(xml: string, localName: string) {
  const doc = parseXml(xml);
  const el = doc.documentElement!;
  if (el.namespaceURI !== NS.posten || el.localName !== localName) {
    throw new XmlParseError(`expected <${localName}> in ${NS.posten}, got <${el.localName}>`);
  }
  return el;
}

function jobId(value: string): string {
  if (!LONG.test(value)) throw new XmlParseError('signature-job-id is not an xs:long');
  return value;
}

export function parseJobCreatedResponse(xml: string): JobCreatedResponse {
  const el = root(xml, 'portal-signature-job-response');
  return {
    reference: childText(el, NS.posten, 'reference'),
    signatureJobId: jobId(requireChildText(el, NS.posten, 'signature-job-id')),
    cancellationUrl: requireChildText(el, NS.posten, 'cancellation-url'),
  };
}

/** Parses a status change; unknown signer statuses are kept as they are (the XSD type is an open string). */
export function parseStatusChange(xml: string, receivedAt: string): PostenStatusChange {
  const el = root(xml, 'portal-signature-job-status-change-response');
  const status = requireChildText(el, NS.posten, 'status');
  if (!JOB_STATUSES.includes(status)) throw new XmlParseError('unknown job status');
  const signaturesEl = requireChild(el, NS.posten, 'signatures');
  const signatures: StatusChangeSignature[] = childElements(signaturesEl, NS.posten, 'signature').map((sig) => {
    const statusEl = requireChild(sig, NS.posten, 'status');
    const since = statusEl.getAttribute('since');
    if (!since) throw new XmlParseError('signature status without since');
    const out: StatusChangeSignature = { status: (statusEl.textContent ?? '').trim(), since };
    const pin = childText(sig, NS.posten, 'personal-identification-number');
    if (pin !== undefined) out.personalIdentificationNumber = pin;
    const identifier = child(sig, NS.posten, 'identifier');
    if (identifier) {
      const email = child(identifier, NS.posten, 'email')?.getAttribute('address');
      const mobile = child(identifier, NS.posten, 'sms')?.getAttribute('number');
      if (email) out.email = email;
      if (mobile) out.mobile = mobile;
    }
    if (pin === undefined && !identifier) throw new XmlParseError('signature without signer identification');
    const xades = childText(sig, NS.posten, 'xades-url');
    if (xades) out.xadesUrl = xades;
    return out;
  });
  if (signatures.length === 0) throw new XmlParseError('status change without signatures');
  const change: PostenStatusChange = {
    signatureJobId: jobId(requireChildText(el, NS.posten, 'signature-job-id')),
    status: status as PortalJobStatus,
    confirmationUrl: requireChildText(el, NS.posten, 'confirmation-url'),
    signatures,
    receivedAt,
  };
  const reference = childText(el, NS.posten, 'reference');
  if (reference !== undefined) change.reference = reference;
  const cancellationUrl = childText(el, NS.posten, 'cancellation-url');
  if (cancellationUrl) change.cancellationUrl = cancellationUrl;
  const deleteUrl = childText(el, NS.posten, 'delete-documents-url');
  if (deleteUrl) change.deleteDocumentsUrl = deleteUrl;
  const pades = childText(signaturesEl, NS.posten, 'pades-url');
  if (pades) change.padesUrl = pades;
  return change;
}

/** The `error` body, or undefined when the body is not one (clients must cope with non-XML error bodies). */
export function parseErrorBody(text: string): PostenErrorBody | undefined {
  try {
    const el = root(text, 'error');
    return {
      code: requireChildText(el, NS.posten, 'error-code'),
      message: requireChildText(el, NS.posten, 'error-message'),
      type: childText(el, NS.posten, 'error-type') ?? '',
    };
  } catch {
    return undefined;
  }
}
