import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { request } from 'undici';
import { startFlow } from '../../client/flows';
import { eformidlingSendFlow } from '../../contract/eformidling';
import type { StoredIncoming } from '../../contract/eformidling';
import { defaultIncomingPrefix } from '../../contract/eformidling';
import { businessKey } from '../../contract/workflow-ids';
import type { DemoContext, DemoResult } from '../../platform/integration';
import { loadEformidlingConfig } from './config';

const ARKIVMELDING_XML = (file: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <system>Ferje demo</system><meldingId>${randomUUID()}</meldingId><tidspunkt>${new Date().toISOString()}</tidspunkt><antallFiler>1</antallFiler>
  <mappe xsi:type="saksmappe"><systemID>1</systemID><tittel>Demo-sak</tittel>
    <basisregistrering xsi:type="journalpost"><systemID>2</systemID><tittel>Vedtak</tittel><offentligTittel>Vedtak</offentligTittel>
      <dokumentbeskrivelse><dokumentnummer>1</dokumentnummer><tilknyttetRegistreringSom>Hoveddokument</tilknyttetRegistreringSom><tittel>Vedtak</tittel>
        <dokumentobjekt><referanseDokumentfil>${file}</referanseDokumentfil></dokumentobjekt></dokumentbeskrivelse>
    </basisregistrering></mappe>
</arkivmelding>
`;

/**
 * Sends an arkivmelding to a DPO test organisation of the simulator and waits for LEVERT, then lets the simulator
 * deliver an incoming message and waits until the inbox has handed it to the store-and-record consumer.
 */
export async function eformidlingDemo(ctx: DemoContext): Promise<DemoResult> {
  const config = loadEformidlingConfig(ctx.env, ctx.config);
  const lines: string[] = [];
  const workflowIds: string[] = [];

  const xml = await ctx.blobStore.put(Buffer.from(ARKIVMELDING_XML('vedtak.pdf')), { mediaType: 'application/xml' });
  const pdf = await ctx.blobStore.put(Buffer.from(`%PDF-1.4\n% Ferje demo ${new Date().toISOString()}\n%%EOF\n`), {
    mediaType: 'application/pdf',
  });
  const messageId = randomUUID();
  const started = await startFlow(ctx.client, eformidlingSendFlow, {
    messageId,
    receiver: { kind: 'organisation', organisationNumber: '920000002' },
    process: 'urn:no:difi:profile:arkivmelding:administrasjon:ver1.0',
    documentType: 'arkivmelding',
    businessMessage: { hoveddokument: 'vedtak.pdf', sikkerhetsnivaa: 3 },
    files: [
      { blob: xml, fileName: 'arkivmelding.xml', title: 'Arkivmelding' },
      { blob: pdf, fileName: 'vedtak.pdf', title: 'Vedtak' },
    ],
    tracking: { pollInitialInterval: '5 seconds', pollMaxInterval: '1 minute' },
  });
  workflowIds.push(started.workflowId);
  lines.push(`Sending message ${messageId} to 920000002 (DPO) …`);
  const result = await started.result();
  lines.push(
    `Settled: ${result.finalStatus} over ${result.serviceIdentifier} (${result.sendMode}); statuses ${result.statuses.map((s) => `${s.status}[${s.source}]`).join(' → ')}`,
  );

  const res = await request(`${config.baseUrl}/_control/incoming`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sender: '920000002',
      documentType: 'arkivmelding',
      businessMessage: { hoveddokument: 'svar.pdf' },
      files: [
        { name: 'arkivmelding.xml', text: ARKIVMELDING_XML('svar.pdf') },
        { name: 'svar.pdf', text: '%PDF-1.4\n% reply\n%%EOF\n' },
      ],
    }),
  });
  const injected = (await res.body.json()) as { messageId: string };
  lines.push(`The simulator delivered incoming message ${injected.messageId}; waiting for the inbox …`);
  const consumerId = businessKey(defaultIncomingPrefix, injected.messageId);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const stored = (await ctx.client.workflow.getHandle(consumerId).result()) as StoredIncoming;
      workflowIds.push(consumerId);
      lines.push(
        `Received and recorded: ${stored.documents.length} document(s), ASiC ${stored.asic?.size ?? 0} bytes in the blob store; deleted from the IP`,
      );
      break;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
      await sleep(1000);
    }
  }
  for (const inbox of config.inboxes) workflowIds.push(`eformidling-inbox/${inbox.name}`);
  return { lines, workflowIds };
}
