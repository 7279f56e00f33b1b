import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pdfsigPath, xmlsec1Path } from '../../scripts/setup';

/** The Id attribute xmlsec1 must know to resolve `#SignedProperties` (XAdES has no DTD declaring it). */
const SIGNED_PROPERTIES_ID = 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties';

export interface Verdict {
  ok: boolean;
  output: string;
}

function inTempDir<T>(prefix: string, work: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An XAdES with detached references checked by xmlsec1 (libxmlsec1, shares no code with Ferje): it resolves each
 * reference relative to the signature file, so the signed files are written next to it under their names.
 */
export function xmlsec1VerifyDetached(
  files: Map<string, Uint8Array>,
  signatureXml: Uint8Array | string,
  caPem: string,
): Verdict {
  return inTempDir('ferje-xmlsec-', (dir) => {
    for (const [name, bytes] of files) writeFileSync(path.join(dir, name), bytes);
    writeFileSync(path.join(dir, 'signatures.xml'), signatureXml);
    writeFileSync(path.join(dir, 'ca.pem'), caPem);
    const run = spawnSync(
      xmlsec1Path,
      ['--verify', '--trusted-pem', 'ca.pem', '--id-attr:Id', SIGNED_PROPERTIES_ID, 'signatures.xml'],
      { cwd: dir, encoding: 'utf8' },
    );
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  });
}

export interface PdfSignature {
  byteRange: [number, number, number, number];
  /** The CMS, without the zero padding of its /Contents placeholder. */
  cms: Buffer;
  /** The bytes the ByteRange names: what the CMS must sign. */
  signedContent: Buffer;
  subFilter: string;
}

/** Finds the (single) signature dictionary of a PDF by its /ByteRange and /Contents, as a validator reads it. */
export function pdfSignature(pdf: Buffer): PdfSignature {
  const text = pdf.toString('latin1');
  const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
  if (!range) throw new Error('no /ByteRange in the PDF');
  const byteRange = range.slice(1, 5).map(Number) as PdfSignature['byteRange'];
  const [a, b, c, d] = byteRange;
  const hole = text.slice(a + b, c);
  if (!/^<[0-9a-fA-F]+>$/.test(hole)) throw new Error('the ByteRange hole is not the /Contents hex string');
  const padded = Buffer.from(hole.slice(1, -1), 'hex');
  // DER: the outer SEQUENCE's length says where the CMS ends and the zero padding starts.
  const lengthOctets = padded[1] & 0x80 ? padded[1] & 0x7f : 0;
  const length = lengthOctets === 0 ? padded[1] : padded.subarray(2, 2 + lengthOctets).readUIntBE(0, lengthOctets);
  const cms = padded.subarray(0, 2 + lengthOctets + length);
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.]+)/.exec(text)?.[1] ?? '';
  return { byteRange, cms, signedContent: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]), subFilter };
}

/** `openssl cms -verify` of a detached CMS over `content`, the chain checked up to `caPem`. */
export function opensslVerifyDetachedCms(cms: Buffer, content: Buffer, caPem: string): Verdict {
  return inTempDir('ferje-cms-', (dir) => {
    writeFileSync(path.join(dir, 'sig.der'), cms);
    writeFileSync(path.join(dir, 'content.bin'), content);
    writeFileSync(path.join(dir, 'ca.pem'), caPem);
    const run = spawnSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        'sig.der',
        '-content',
        'content.bin',
        '-CAfile',
        'ca.pem',
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  });
}

/** `openssl cms -cmsout -print`: the structure of a CMS as OpenSSL reads it (attributes, algorithms, signer). */
export function opensslPrintCms(cms: Buffer): string {
  return inTempDir('ferje-cms-', (dir) => {
    writeFileSync(path.join(dir, 'sig.der'), cms);
    const run = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'sig.der'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`openssl cms -print failed: ${run.stderr}`);
    return run.stdout;
  });
}

/**
 * poppler's view of a PDF (shares no code with Ferje): `pdfsig` finds the signature through the AcroForm and checks
 * the CMS against the ByteRange (its certificate trust uses NSS's store, which does not hold the test CA), and
 * `pdfdetach -list` names the embedded files.
 */
export function popplerReadPdf(pdf: Buffer): { signatures: string; attachments: string[] } {
  return inTempDir('ferje-pdf-', (dir) => {
    writeFileSync(path.join(dir, 'doc.pdf'), pdf);
    const sig = spawnSync(pdfsigPath, ['doc.pdf'], { cwd: dir, encoding: 'utf8' });
    const detach = spawnSync(path.join(path.dirname(pdfsigPath), 'pdfdetach'), ['-list', 'doc.pdf'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (detach.status !== 0) throw new Error(`pdfdetach failed: ${detach.stderr}`);
    const attachments = detach.stdout
      .split('\n')
      .map((l) => /^\d+: (.*)$/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined);
    return { signatures: `${sig.stdout}${sig.stderr}`, attachments };
  });
}
