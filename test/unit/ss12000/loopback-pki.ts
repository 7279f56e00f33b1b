import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** PEM files for a TLS server on 127.0.0.1 and a client, both issued by a throw-away CA. */
export interface LoopbackPki {
  caCertPem: string;
  server: { keyPem: string; certPem: string };
  client: { keyPem: string; certPem: string };
  /** A second CA that issued nothing here: trusting only it must fail. */
  otherCaCertPem: string;
}

interface Issued {
  key: forge.pki.rsa.PrivateKey;
  keyPem: string;
  cert: forge.pki.Certificate;
}

function issue(commonName: string, issuer: Issued | undefined, extensions: object[]): Issued {
  // Node makes the key (native and fast); forge only wraps a certificate around it.
  const keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const subject = [{ shortName: 'CN', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  cert.setExtensions(extensions);
  cert.sign(issuer ? issuer.key : key, forge.md.sha256.create());
  return { key, keyPem, cert };
}

const caExtensions = [
  { name: 'basicConstraints', cA: true, critical: true },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
];

export function createLoopbackPki(): LoopbackPki {
  const ca = issue('Ferje loopback test CA', undefined, caExtensions);
  const server = issue('token server', ca, [
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  const client = issue('ss12000 client', ca, [{ name: 'extKeyUsage', clientAuth: true }]);
  const other = issue('unrelated CA', undefined, caExtensions);
  const pem = (c: Issued) => ({ keyPem: c.keyPem, certPem: forge.pki.certificateToPem(c.cert) });
  return {
    caCertPem: forge.pki.certificateToPem(ca.cert),
    server: pem(server),
    client: pem(client),
    otherCaCertPem: forge.pki.certificateToPem(other.cert),
  };
}
