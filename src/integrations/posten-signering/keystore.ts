import { createPublicKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

/** The sender's enterprise certificate: used for mutual TLS and for signing the document bundle. */
export interface EnterpriseKeystore {
  /** PEM private key (RSA). */
  keyPem: string;
  /** The signing/authentication certificate first, then the rest of the chain found in the file. */
  chainPem: string[];
  certificate: X509Certificate;
}

export class KeystoreError extends Error {
  override readonly name = 'KeystoreError';
}

/**
 * Reads a PKCS#12 file (legacy 3DES/RC2 or modern AES/PBKDF2/SHA-256 MAC). Node's crypto cannot read PKCS#12 keys,
 * so node-forge does the unwrapping; everything after that is Node's own crypto.
 */
export function loadPkcs12(bytes: Uint8Array, passphrase: string): EnterpriseKeystore {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (err) {
    throw new KeystoreError(
      `cannot read the PKCS#12 keystore (wrong passphrase or unsupported file): ${(err as Error).message}`,
    );
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const key = keyBags.find((b) => b.key)?.key;
  if (!key) throw new KeystoreError('the PKCS#12 keystore holds no private key');
  const keyPem = forge.pki.privateKeyToPem(key);
  const certPems = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .map((b) => (b.cert ? forge.pki.certificateToPem(b.cert) : undefined))
    .filter((p): p is string => p !== undefined);
  if (certPems.length === 0) throw new KeystoreError('the PKCS#12 keystore holds no certificate');
  const publicDer = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const leafIndex = certPems.findIndex((pem) =>
    new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).equals(publicDer),
  );
  if (leafIndex < 0) throw new KeystoreError('no certificate in the keystore matches its private key');
  const chainPem = [certPems[leafIndex], ...certPems.filter((_, i) => i !== leafIndex)];
  return { keyPem, chainPem, certificate: new X509Certificate(chainPem[0]) };
}

/** Organisation number in a certificate subject: SEID v2 `organizationIdentifier=NTRNO-<9 digits>`, v1 serialNumber. */
export function organizationNumberOf(cert: X509Certificate): string | undefined {
  const lines = cert.subject.split('\n');
  for (const line of lines) {
    const m = /^(?:organizationIdentifier|2\.5\.4\.97)=NTRNO-([0-9]{9})$/.exec(line.trim());
    if (m) return m[1];
  }
  for (const line of lines) {
    const m = /^serialNumber=([0-9]{9})$/.exec(line.trim());
    if (m) return m[1];
  }
  return undefined;
}
