import { createHash } from 'node:crypto';
import type { EnterpriseKeystore } from '../../integrations/posten-signering/keystore';
import { detachedCms } from './cms';

export interface PadesSpec {
  jobId: string;
  /** The signed documents by file name (the manifest's href). */
  documents: Map<string, Uint8Array>;
  /** Who has signed so far, with their XAdES. */
  signatures: { signerNumber: number; signedAt: number; xades: Uint8Array }[];
}

/** Room for the CMS in /Contents (hex, so twice this in the file): chain of two certificates and attributes fit. */
const SIGNATURE_BYTES = 8192;
const BYTE_RANGE_WIDTH = 10;

/**
 * A signed PDF as Posten's PAdES is one: a cover page naming the documents and signatures, the documents and every
 * signer's XAdES embedded as attached files, and one approval signature (an ETSI.CAdES.detached CMS over the
 * /ByteRange, i.e. every byte of the file but the /Contents hole) made with Posten's seal.
 *
 * Deterministic: the same job state gives the same bytes (RSA PKCS#1 v1.5 signatures are), so a repeated download
 * stores nothing new.
 */
export function signedPades(seal: EnterpriseKeystore, spec: PadesSpec): Buffer {
  const signedAt = Math.max(...spec.signatures.map((s) => s.signedAt));
  const attachments = [
    ...[...spec.documents].map(([name, bytes]) => ({ name, bytes, mime: 'application/pdf' })),
    ...spec.signatures.map((s) => ({
      name: `signature-${s.signerNumber}-xades.xml`,
      bytes: s.xades,
      mime: 'application/xml',
    })),
  ].sort((a, b) => Buffer.compare(pdfText(a.name), pdfText(b.name)));

  const lines = [
    `Posten signering (simulated) - signature job ${spec.jobId}`,
    '',
    ...[...spec.documents].map(
      ([name, bytes]) => `Document ${name}: SHA-256 ${createHash('sha256').update(bytes).digest('hex')}`,
    ),
    '',
    ...spec.signatures.map((s) => `Signer ${s.signerNumber} signed at ${new Date(s.signedAt).toISOString()}`),
  ];
  const content = Buffer.from(
    `BT /F1 9 Tf 40 800 Td 12 TL ${lines.map((l) => `(${asciiText(l)}) '`).join(' ')} ET`,
    'latin1',
  );

  const objects: Buffer[] = [];
  const add = (body: Buffer | string): number => objects.push(typeof body === 'string' ? Buffer.from(body) : body);
  const catalog = add('');
  const pages = add('');
  const page = add('');
  const contents = add(stream(`<</Length ${content.length}>>`, content));
  const font = add('<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>');
  const sig = add(''); // written last: its /Contents and /ByteRange are patched after the layout is known
  const widget = add(
    `<</Type/Annot/Subtype/Widget/FT/Sig/F 132/Rect[0 0 0 0]/T(Posten signering)/V ${sig} 0 R/P ${page} 0 R>>`,
  );
  const names: string[] = [];
  for (const a of attachments) {
    const file = add(
      stream(
        `<</Type/EmbeddedFile/Subtype/${a.mime.replace('/', '#2F')}/Params<</Size ${a.bytes.length}>>/Length ${a.bytes.length}>>`,
        Buffer.from(a.bytes),
      ),
    );
    const label = hexString(pdfText(a.name));
    const spec = add(`<</Type/Filespec/F${label}/UF${label}/EF<</F ${file} 0 R>>/AFRelationship/Source>>`);
    names.push(`${label} ${spec} 0 R`);
  }
  objects[catalog - 1] = Buffer.from(
    `<</Type/Catalog/Pages ${pages} 0 R/AcroForm<</Fields[${widget} 0 R]/SigFlags 3>>` +
      `/Names<</EmbeddedFiles<</Names[${names.join(' ')}]>>>>>>`,
  );
  objects[pages - 1] = Buffer.from(`<</Type/Pages/Kids[${page} 0 R]/Count 1>>`);
  objects[page - 1] = Buffer.from(
    `<</Type/Page/Parent ${pages} 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 ${font} 0 R>>>>` +
      `/Contents ${contents} 0 R/Annots[${widget} 0 R]>>`,
  );
  const placeholder = `[${Array.from({ length: 4 }, () => '0'.padEnd(BYTE_RANGE_WIDTH)).join(' ')}]`;
  objects[sig - 1] = Buffer.from(
    `<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M(${pdfDate(signedAt)})` +
      `/Name(Posten signering)/ByteRange${placeholder}/Contents<${'0'.repeat(SIGNATURE_BYTES * 2)}>>>`,
  );

  // Lay the file out, remembering each object's offset for the cross-reference table.
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    length += obj.length;
  });
  const id = createHash('md5').update(`${spec.jobId}:${signedAt}`).digest('hex');
  parts.push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
        offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
        `trailer\n<</Size ${objects.length + 1}/Root ${catalog} 0 R/ID[<${id}><${id}>]>>\nstartxref\n${length}\n%%EOF\n`,
    ),
  );
  const pdf = Buffer.concat(parts);

  // The hole is the hex string with its angle brackets; the signature covers everything else.
  const sigStart = offsets[sig - 1];
  const contentsAt = pdf.indexOf('/Contents<', sigStart) + '/Contents'.length;
  const contentsEnd = contentsAt + SIGNATURE_BYTES * 2 + 2;
  const byteRange = [0, contentsAt, contentsEnd, pdf.length - contentsEnd];
  const rangeAt = pdf.indexOf('/ByteRange[', sigStart) + '/ByteRange'.length;
  pdf.write(`[${byteRange.map((n) => String(n).padEnd(BYTE_RANGE_WIDTH)).join(' ')}]`, rangeAt, 'latin1');
  const cms = detachedCms(seal, Buffer.concat([pdf.subarray(0, contentsAt), pdf.subarray(contentsEnd)]));
  if (cms.length > SIGNATURE_BYTES) throw new Error('the CMS signature does not fit its placeholder');
  pdf.write(cms.toString('hex'), contentsAt + 1, 'latin1');
  return pdf;
}

function stream(dictionary: string, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${dictionary}\nstream\n`), bytes, Buffer.from('\nendstream')]);
}

/** A PDF text string in UTF-16BE with its byte order mark: any file name survives. */
function pdfText(value: string): Buffer {
  const utf16 = Buffer.from(value, 'utf16le').swap16();
  return Buffer.concat([Buffer.from([0xfe, 0xff]), utf16]);
}

function hexString(bytes: Buffer): string {
  return `<${bytes.toString('hex')}>`;
}

/** Text for the page's content stream (Helvetica, WinAnsi): printable ASCII, PDF string delimiters escaped. */
function asciiText(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
}

function pdfDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `D:${iso.slice(0, 19).replace(/[-:T]/g, '')}+00'00'`;
}
