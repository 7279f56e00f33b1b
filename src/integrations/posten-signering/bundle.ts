import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { PostenSignatureJobInput } from '../../contract/posten-signering';
import { bundleEntries, buildManifestXml } from './job-xml';
import type { EnterpriseKeystore } from './keystore';
import { signBundleFiles, type SignedFile } from './xades/sign';

export const SIGNATURES_ENTRY = 'META-INF/signatures.xml';
export const MANIFEST_ENTRY = 'manifest.xml';

export interface DocumentBundle {
  zip: Uint8Array;
  manifestXml: string;
  signaturesXml: string;
  entries: string[];
}

/**
 * The ASiC-E document bundle: each document, `manifest.xml`, then `META-INF/signatures.xml`, deflated, with no
 * `mimetype` entry and no `META-INF/manifest.xml` (Posten's profile forbids them).
 */
export function buildDocumentBundle(
  job: PostenSignatureJobInput,
  documents: Uint8Array[],
  keystore: EnterpriseKeystore,
  signingTime: Date,
): DocumentBundle {
  const entries = bundleEntries(job);
  const manifestXml = buildManifestXml(job, entries);
  const files: SignedFile[] = entries.map((e, i) => ({ name: e.href, bytes: documents[i], mimeType: e.mediaType }));
  files.push({ name: MANIFEST_ENTRY, bytes: Buffer.from(manifestXml, 'utf8'), mimeType: 'application/xml' });
  const signaturesXml = signBundleFiles(files, keystore, signingTime);
  const zippable: Zippable = {};
  for (const f of files) zippable[f.name] = [f.bytes, { level: 6 }];
  zippable[SIGNATURES_ENTRY] = [Buffer.from(signaturesXml, 'utf8'), { level: 6 }];
  return { zip: zipSync(zippable), manifestXml, signaturesXml, entries: Object.keys(zippable) };
}

/** Reads a bundle back (the simulator and the tests): entry name → bytes. */
export function readDocumentBundle(zip: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(zip)));
}
