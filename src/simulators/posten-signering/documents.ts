import type { EnterpriseKeystore } from '../../integrations/posten-signering/keystore';
import { signBundleFiles } from '../../integrations/posten-signering/xades/sign';

export { signedPades, type PadesSpec } from './pades';

/** Media types of the downloads: what Posten's Java client asks for (DirectClient/PortalClient `getXAdES`, `getPAdES`). */
export const SIGNED_DOCUMENT_MEDIA_TYPES = {
  xades: 'application/xml',
  pades: 'application/octet-stream',
} as const;

/**
 * One signer's XAdES as Posten serves it: an ETSI `XAdESSignatures` document whose XML-DSig signature covers every
 * signed document (detached references by file name), with the signing time of the signature. Signed with Posten's
 * seal by the same code that signs Ferje's ASiC-E bundle, so both sides of the profile stay one implementation.
 */
export function signerXades(seal: EnterpriseKeystore, documents: Map<string, Uint8Array>, signedAt: number): Buffer {
  const files = [...documents].map(([name, bytes]) => ({ name, bytes, mimeType: 'application/pdf' }));
  return Buffer.from(signBundleFiles(files, seal, new Date(signedAt)), 'utf8');
}
