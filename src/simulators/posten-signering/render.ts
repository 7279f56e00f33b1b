import { formatPollTime } from '../../integrations/posten-signering/poll-time';
import { NS } from '../../integrations/posten-signering/xml/dom';
import {
  escapeAttr,
  escapeText,
  optionalElement,
  XML_DECLARATION,
} from '../../integrations/posten-signering/xml/escape';
import type { Delivery, SimJob } from './model';

/** XML the simulated server writes, shaped like Posten's JAXB output (including an unused prefix declaration). */
export function errorXml(code: string, message: string, type: 'CLIENT' | 'SERVER' = 'CLIENT'): string {
  return (
    `${XML_DECLARATION}<error xmlns="${NS.posten}" xmlns:ns2="http://uri.etsi.org/2918/v1.2.1#">` +
    `<error-code>${escapeText(code)}</error-code><error-message>${escapeText(message)}</error-message>` +
    `<error-type>${type}</error-type></error>`
  );
}

export function jobResponseXml(job: SimJob, jobUrl: string): string {
  return (
    `${XML_DECLARATION}<portal-signature-job-response xmlns="${NS.posten}">` +
    optionalElement('reference', job.reference) +
    `<signature-job-id>${job.id}</signature-job-id>` +
    `<cancellation-url>${escapeText(`${jobUrl}/cancel`)}</cancellation-url>` +
    '</portal-signature-job-response>'
  );
}

export function statusChangeXml(
  job: SimJob,
  delivery: Delivery,
  jobUrl: string,
  utcOffsetMinutes: number,
  options: { omitReference?: boolean } = {},
): string {
  const snap = delivery.snapshot;
  const signatures = snap.signers.map((s) => {
    const signer = job.signers[s.number - 1];
    const identity =
      signer.pin !== undefined
        ? `<personal-identification-number>${signer.pin}</personal-identification-number>`
        : '<identifier>' +
          (signer.email ? `<email address="${escapeAttr(signer.email)}"/>` : '') +
          (signer.mobile ? `<sms number="${escapeAttr(signer.mobile)}"/>` : '') +
          '</identifier>';
    return (
      `<signature><status since="${formatPollTime(s.since, utcOffsetMinutes)}">${escapeText(s.status)}</status>` +
      identity +
      (s.signed ? `<xades-url>${jobUrl}/xades/${s.number}</xades-url>` : '') +
      '</signature>'
    );
  });
  const anySigned = snap.signers.some((s) => s.signed);
  return (
    `${XML_DECLARATION}<portal-signature-job-status-change-response xmlns="${NS.posten}">` +
    optionalElement('reference', options.omitReference ? undefined : job.reference) +
    `<signature-job-id>${job.id}</signature-job-id><status>${snap.status}</status>` +
    `<confirmation-url>${jobUrl}/complete</confirmation-url>` +
    (snap.cancellable ? `<cancellation-url>${jobUrl}/cancel</cancellation-url>` : '') +
    (snap.deletable ? `<delete-documents-url>${jobUrl}/documents</delete-documents-url>` : '') +
    `<signatures>${signatures.join('')}${anySigned ? `<pades-url>${jobUrl}/pades</pades-url>` : ''}</signatures>` +
    '</portal-signature-job-status-change-response>'
  );
}
