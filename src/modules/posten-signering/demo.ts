import { startFlow } from '../../client/flows';
import { postenFlows } from '../../contract/posten-signering';
import type { PostenSignatureJobResult } from '../../contract/posten-signering';
import type { DemoContext, DemoResult } from '../../platform/integration';
import { envOptional } from '../../config/env';

export const DEMO_SENDER = '987654321';

/** A small but real PDF, so the demo's bundle holds a document a PDF reader opens. */
export function demoPdf(text: string): Buffer {
  const content = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) pdf += `${String(o).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/**
 * One portal job end to end on the simulator: two signers in two order groups (the simulator's autopilot signs each
 * a moment after their group is activated), status changes through the poller, XAdES and PAdES stored, confirmed.
 */
export async function runPostenDemo(ctx: DemoContext): Promise<DemoResult> {
  const controlUrl = envOptional(ctx.env, 'POSTEN_SIGNERING_SIMULATOR_CONTROL_URL');
  if (controlUrl) {
    await fetch(`${controlUrl}/control/autopilot`, {
      method: 'POST',
      body: JSON.stringify({ mode: 'sign', delayMs: 1500 }),
    });
  }
  const document = await ctx.blobStore.put(demoPdf('Ferje demo: employment contract'), {
    mediaType: 'application/pdf',
    fileName: 'contract.pdf',
  });
  const reference = `demo-${Date.now()}`;
  const started = await startFlow(ctx.client, postenFlows['posten-signature-job'], {
    sender: DEMO_SENDER,
    reference,
    title: 'Employment contract',
    nonsensitiveTitle: 'Contract to sign',
    documents: [{ title: 'Employment contract', fileName: 'contract.pdf', content: document }],
    signers: [
      { personalIdentificationNumber: '01010112345', order: 1, notifications: { email: 'employee@example.com' } },
      { order: 2, notifications: { email: 'manager@example.com', mobile: '+4799999999' } },
    ],
  });
  const result = (await Promise.race([
    started.result(),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no result within 3 minutes')), 180_000).unref()),
  ])) as PostenSignatureJobResult;
  return {
    lines: [
      `Signature job ${started.workflowId}: Posten job ${result.signatureJobId} ended ${result.status}`,
      ...result.signers.map(
        (s) =>
          `  signer #${s.index + 1} (order ${s.order}): ${s.status}${s.xades ? `, XAdES ${s.xades.sha256.slice(0, 12)}…` : ''}`,
      ),
      `  PAdES: ${result.pades ? `${result.pades.size} bytes, sha256 ${result.pades.sha256.slice(0, 12)}…` : 'none'}`,
      `  Bundle sent: ${result.bundle ? `${result.bundle.size} bytes` : 'none'}`,
    ],
    workflowIds: [started.workflowId, `posten-poller/${DEMO_SENDER}/_default`],
  };
}
