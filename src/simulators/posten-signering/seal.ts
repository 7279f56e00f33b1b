import { X509Certificate } from 'node:crypto';
import type { EnterpriseKeystore } from '../../integrations/posten-signering/keystore';
import { createTestPki } from './test-pki';

/**
 * Posten's seal as a keystore (key, certificate, chain up to the test CA): the shape Ferje's own XAdES signer takes,
 * so the simulator signs its XAdES with the same code that signs the ASiC-E bundle.
 */
export function sealKeystore(keyPem: string, certPem: string, caPem: string): EnterpriseKeystore {
  return { keyPem, chainPem: [certPem, caPem], certificate: new X509Certificate(certPem) };
}

let fallback: { seal: EnterpriseKeystore; caPem: string } | undefined;

/**
 * A seal for a model made without the simulator's PKI (unit tests build a bare model): made once per process, under
 * a throw-away CA that the caller can still read to verify what was signed.
 */
export function fallbackSeal(): { seal: EnterpriseKeystore; caPem: string } {
  if (!fallback) {
    const pki = createTestPki();
    fallback = { seal: sealKeystore(pki.seal.keyPem, pki.seal.certPem, pki.caCertPem), caPem: pki.caCertPem };
  }
  return fallback;
}
