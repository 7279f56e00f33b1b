import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

/**
 * Validation against Posten's official XSDs with libxml2 (compiled to WASM, so no native build and no network).
 * Each call runs in a short-lived worker thread; a small gate keeps parallel validations from piling up threads.
 */
export const xsdDir = [
  path.join(__dirname, 'xsd'),
  path.resolve(__dirname, '..', '..', '..', '..', 'src', 'integrations', 'posten-signering', 'xsd'),
].find((dir) => existsSync(path.join(dir, 'portal.xsd'))) as string;

export interface XsdResult {
  valid: boolean;
  /** libxml2's messages (they can quote values: never log them, and mask them before returning them to a client). */
  errors: string[];
}

const cache = new Map<string, string>();
function schemaFile(relative: string): { fileName: string; contents: string } {
  let contents = cache.get(relative);
  if (contents === undefined) {
    contents = readFileSync(path.join(xsdDir, relative), 'utf8');
    cache.set(relative, contents);
  }
  return { fileName: relative, contents };
}

let running = 0;
const waiting: (() => void)[] = [];
async function gate<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function validate(docs: { name: string; xml: string }[], schema: string, preload: string[]): Promise<XsdResult> {
  return gate(async () => {
    const result = await validateXML({
      xml: docs.map((d) => ({ fileName: d.name, contents: d.xml })),
      schema: [schemaFile(schema)],
      preload: preload.map(schemaFile),
    });
    return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
  });
}

/** `portal-signature-job-request` and `portal-signature-job-manifest` (and the responses) against portal.xsd. */
export function validatePortalXml(docs: { name: string; xml: string }[]): Promise<XsdResult> {
  return validate(docs, 'portal.xsd', ['common.xsd', 'portal-legacy.xsd']);
}

/** `META-INF/signatures.xml` against the ASiC schema (which pulls in XML-DSig). */
export function validateSignaturesXml(xml: string): Promise<XsdResult> {
  return validate([{ name: 'signatures.xml', xml }], 'thirdparty/ts_102918v010201.xsd', [
    'thirdparty/xmldsig-core-schema.xsd',
  ]);
}
