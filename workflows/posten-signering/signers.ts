import type { PostenSigner, SignerProgress, StatusChangeSignature } from '../../src/contract/posten-signering';
import { knownSignerStatuses } from '../../src/contract/posten-signering';

/**
 * Posten reports signers by identity (personal identification number, or the e-mail/mobile pair for signers
 * identified by contact information), never by position. This maps them back to the input's index, the only signer
 * reference Ferje shows anywhere.
 */
export function matchSigner(signers: PostenSigner[], signature: StatusChangeSignature): number | undefined {
  if (signature.personalIdentificationNumber !== undefined) {
    const i = signers.findIndex((s) => s.personalIdentificationNumber === signature.personalIdentificationNumber);
    return i >= 0 ? i : undefined;
  }
  const i = signers.findIndex(
    (s) =>
      s.personalIdentificationNumber === undefined &&
      s.notifications !== undefined &&
      (s.notifications.email ?? undefined) === (signature.email ?? undefined) &&
      (s.notifications.mobile ?? undefined) === (signature.mobile ?? undefined),
  );
  if (i >= 0) return i;
  // Posten may echo only one of e-mail/mobile: fall back to any one that matches.
  const j = signers.findIndex(
    (s) =>
      s.personalIdentificationNumber === undefined &&
      ((signature.email !== undefined && s.notifications?.email === signature.email) ||
        (signature.mobile !== undefined && s.notifications?.mobile === signature.mobile)),
  );
  return j >= 0 ? j : undefined;
}

export function initialSignerProgress(signers: PostenSigner[]): SignerProgress[] {
  return signers.map((s, index) => ({ index, order: s.order ?? 0, status: 'WAITING' }));
}

export function isKnownSignerStatus(status: string): boolean {
  return (knownSignerStatuses as readonly string[]).includes(status);
}

/** Markdown for the UI: statuses by signer index, never names, numbers or addresses. */
export function signerTable(signers: SignerProgress[]): string {
  const rows = signers.map(
    (s) => `| #${s.index + 1} | ${s.order} | ${s.status} | ${s.since ?? '—'} | ${s.xades ? 'stored' : '—'} |`,
  );
  return ['| Signer | Order | Status | Since | XAdES |', '|---|---|---|---|---|', ...rows].join('\n');
}
