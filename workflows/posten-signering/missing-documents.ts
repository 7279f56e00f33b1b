import type { MissingDocument } from '../../src/contract/posten-signering';

/**
 * Keeps the list of documents Posten refused to hand out: a refused download adds the document (once), a later
 * successful download of the same document (offered again by a redelivered or later change) removes it.
 */
export function noteDownload(missing: MissingDocument[], document: MissingDocument, stored: boolean): void {
  const at = missing.findIndex(
    (m) =>
      m.document === document.document &&
      (m.document === 'PADES' || (document.document === 'XADES' && m.signerIndex === document.signerIndex)),
  );
  if (stored && at >= 0) missing.splice(at, 1);
  if (!stored && at < 0) missing.push(document);
}
