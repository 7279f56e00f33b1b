import { startFlow } from '../../client/flows';
import { signatureOperationFlow, type SignatureOperationInput } from '../../contract/signstash';
import type { DemoContext, DemoResult } from '../../platform/integration';
import { loadSignstashConfig } from './config';

const pdf = (title: string): Buffer =>
  Buffer.from(`%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% ${title}\ntrailer << /Root 1 0 R >>\n%%EOF\n`);

/** Signs a small batch (three PDFs and an XML invoice, one of them sent inline) on the simulator, end to end. */
export async function runSignstashDemo(ctx: DemoContext): Promise<DemoResult> {
  const config = loadSignstashConfig(ctx.env);
  const [clientServiceId] = [...config.credentials.keys()];
  const stored = await Promise.all(
    ['Lease agreement', 'Annex A', 'Annex B'].map((title, i) =>
      ctx.blobStore.put(pdf(title), { mediaType: 'application/pdf', fileName: `demo-${i + 1}.pdf` }),
    ),
  );
  const xml = '<?xml version="1.0"?><Invoice><ID>DEMO-1</ID><Total>100.00</Total></Invoice>';
  const externalReference = `demo-${new Date().toISOString().replace(/[-:.TZ]/g, '')}`;
  const input: SignatureOperationInput = {
    clientServiceId,
    externalReference,
    description: 'Ferje demo batch',
    documents: [
      ...stored.map((blob, i) => ({
        externalReference: `${externalReference}-pdf${i + 1}`,
        name: `demo-${i + 1}.pdf`,
        contentType: 'application/pdf' as const,
        content: { blob },
        signatureType: 'PAdES' as const,
        reason: 'Approved',
      })),
      {
        externalReference: `${externalReference}-xml`,
        name: 'invoice.xml',
        contentType: 'text/xml' as const,
        content: { base64: Buffer.from(xml).toString('base64') },
        signatureType: 'XAdES' as const,
      },
    ],
  };
  const started = await startFlow(ctx.client, signatureOperationFlow, input);
  const result = await started.result();
  const lines = [
    `Signature operation ${started.workflowId}: ${result.status}, ${result.signedCount}/${result.documents.length} signed ` +
      `on instance ${result.placement.host}:${result.placement.port} (operation ${result.placement.operationId})`,
  ];
  for (const doc of result.documents) {
    const where = doc.signed ? `blob ${doc.signed.sha256.slice(0, 12)}… (${doc.signed.size} bytes)` : doc.signError;
    lines.push(`  document ${doc.index + 1}: ${doc.signStatus} → ${where}`);
  }
  return { lines, workflowIds: [started.workflowId] };
}
