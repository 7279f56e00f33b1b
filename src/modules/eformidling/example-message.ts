import { randomUUID } from 'node:crypto';
import type { BlobRef } from '../../contract/blob-ref';
import type { OutgoingMessageInput, TrackingOptions } from '../../contract/eformidling';

/**
 * The example message every eFormidling demo, test, bench and load run sends: an arkivmelding (administrasjon
 * process) over DPO to the simulator's test organisation that always delivers. One definition, so that a change to the
 * contract or the simulator's rules (titles, the main document, the process) is made once.
 */
export const ARKIVMELDING_ADMINISTRASJON = 'urn:no:difi:profile:arkivmelding:administrasjon:ver1.0';
/** The simulator's DPO test organisation whose messages are delivered (src/simulators/eformidling/directory.ts). */
export const DELIVERING_TEST_ORGANISATION = '920000002';

/** An arkivmelding.xml naming `files` as its documents (the IP reads only the file references). */
export function arkivmeldingXml(
  files: string[],
  header: { system?: string; meldingId?: string; tidspunkt?: string } = {},
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <system>${header.system ?? 'Ferje'}</system><meldingId>${header.meldingId ?? randomUUID()}</meldingId><tidspunkt>${header.tidspunkt ?? new Date().toISOString()}</tidspunkt><antallFiler>${files.length}</antallFiler>
  <mappe xsi:type="saksmappe"><systemID>1</systemID><tittel>Sak</tittel>
    <basisregistrering xsi:type="journalpost"><systemID>2</systemID><tittel>Vedtak</tittel><offentligTittel>Vedtak</offentligTittel>
${files
  .map(
    (
      f,
      i,
    ) => `      <dokumentbeskrivelse><dokumentnummer>${i + 1}</dokumentnummer><tilknyttetRegistreringSom>${i === 0 ? 'Hoveddokument' : 'Vedlegg'}</tilknyttetRegistreringSom><tittel>${f}</tittel>
        <dokumentobjekt><referanseDokumentfil>${f}</referanseDokumentfil></dokumentobjekt></dokumentbeskrivelse>`,
  )
  .join('\n')}
    </basisregistrering></mappe>
</arkivmelding>
`;
}

/**
 * An arkivmelding with its XML and one main document, both already in the blob store, to the delivering test
 * organisation. `overrides` replace any field (a receiver, a tracking cadence, a transport).
 */
export function arkivmeldingMessage(
  blobs: { xml: BlobRef; document: BlobRef; documentName?: string; documentTitle?: string },
  overrides: Partial<OutgoingMessageInput> & { tracking?: TrackingOptions } = {},
): OutgoingMessageInput {
  const documentName = blobs.documentName ?? 'vedtak.pdf';
  return {
    messageId: randomUUID(),
    receiver: { kind: 'organisation', organisationNumber: DELIVERING_TEST_ORGANISATION },
    process: ARKIVMELDING_ADMINISTRASJON,
    documentType: 'arkivmelding',
    businessMessage: { hoveddokument: documentName },
    files: [
      { blob: blobs.xml, fileName: 'arkivmelding.xml', title: 'Arkivmelding' },
      { blob: blobs.document, fileName: documentName, title: blobs.documentTitle ?? 'Vedtak' },
    ],
    ...overrides,
  };
}
