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
import { DELIVERING_TEST_ORGANISATION, arkivmeldingMessage, arkivmeldingXml } from './example-message';

/**
 * Sends an arkivmelding to a DPO test organisation of the simulator and waits for LEVERT, then lets the simulator
 * deliver an incoming message and waits until the inbox has handed it to the store-and-record consumer.
 */
export async function eformidlingDemo(ctx: DemoContext): Promise<DemoResult> {
  const config = loadEformidlingConfig(ctx.env, ctx.config);
  const lines: string[] = [];
  const workflowIds: string[] = [];

  const xml = await ctx.blobStore.put(Buffer.from(arkivmeldingXml(['vedtak.pdf'], { system: 'Ferje demo' })), {
    mediaType: 'application/xml',
  });
  const pdf = await ctx.blobStore.put(Buffer.from(`%PDF-1.4\n% Ferje demo ${new Date().toISOString()}\n%%EOF\n`), {
    mediaType: 'application/pdf',
  });
  const input = arkivmeldingMessage(
    { xml, document: pdf },
    {
      businessMessage: { hoveddokument: 'vedtak.pdf', sikkerhetsnivaa: 3 },
      tracking: { pollInitialInterval: '5 seconds', pollMaxInterval: '1 minute' },
    },
  );
  const { messageId } = input;
  const started = await startFlow(ctx.client, eformidlingSendFlow, input);
  workflowIds.push(started.workflowId);
  lines.push(`Sending message ${messageId} to ${DELIVERING_TEST_ORGANISATION} (DPO) …`);
  const result = await started.result();
  lines.push(
    `Settled: ${result.finalStatus} over ${result.serviceIdentifier} (${result.sendMode}); statuses ${result.statuses.map((s) => `${s.status}[${s.source}]`).join(' → ')}`,
  );

  const res = await request(`${config.baseUrl}/_control/incoming`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sender: DELIVERING_TEST_ORGANISATION,
      documentType: 'arkivmelding',
      businessMessage: { hoveddokument: 'svar.pdf' },
      files: [
        { name: 'arkivmelding.xml', text: arkivmeldingXml(['svar.pdf'], { system: 'Ferje demo' }) },
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
