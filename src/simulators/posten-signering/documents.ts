import { createHash } from 'node:crypto';

/**
 * Stand-ins for what Posten returns: a per-signer XAdES document and a PAdES "PDF". They are not real signatures;
 * they carry enough (job, signer index, document digests) for tests to check that the right bytes were stored.
 */
export function fakeXades(
  jobId: string,
  signerIndex: number,
  documents: Map<string, Uint8Array>,
  signedAt: string,
): Buffer {
  const refs = [...documents.entries()]
    .map(([name, bytes]) => `<ref name="${name}" sha256="${createHash('sha256').update(bytes).digest('base64')}"/>`)
    .join('');
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><XAdESSignatures xmlns="http://uri.etsi.org/2918/v1.2.1#">` +
      `<!-- simulated signature of job ${jobId}, signer ${signerIndex}, ${signedAt} -->${refs}</XAdESSignatures>`,
    'utf8',
  );
}

export function fakePades(jobId: string, signed: number[], documents: Map<string, Uint8Array>): Buffer {
  const lines = [
    '%PDF-1.7',
    `% simulated PAdES for job ${jobId}`,
    `% signed by signers ${signed.join(',')}`,
    ...[...documents.keys()].map((name) => `% document ${name}`),
    '%%EOF',
  ];
  return Buffer.from(`${lines.join('\n')}\n`, 'latin1');
}
