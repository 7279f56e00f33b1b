import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A throw-away PKI that mirrors Posten's: a CA, a server certificate for "Posten Bring AS", enterprise certificates. */
export interface TestPki {
  caCertPem: string;
  server: { keyPem: string; certPem: string };
  /**
   * Posten's own signing certificate (its seal, separate from the TLS one as Posten's are): the simulator signs the
   * XAdES and PAdES it serves with it.
   */
  seal: { keyPem: string; certPem: string };
  /** PKCS#12 (3DES, SHA-1 MAC, like most issued enterprise certificates) holding the key, leaf and CA. */
  enterprise(organizationNumber: string, passphrase: string, name?: string): Uint8Array;
}

const ORGANIZATION_IDENTIFIER = '2.5.4.97';

interface Subject {
  commonName: string;
  organizationName: string;
  organizationNumber?: string;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  // Node generates the RSA keys (fast, native); forge only builds certificates around them.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function attributes(subject: Subject): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [
    { shortName: 'C', value: 'NO' },
    { shortName: 'O', value: subject.organizationName },
    { shortName: 'CN', value: subject.commonName },
  ];
  if (subject.organizationNumber) {
    // SEID v2: organizationIdentifier NTRNO-<org number>.
    attrs.push({
      type: ORGANIZATION_IDENTIFIER,
      value: `NTRNO-${subject.organizationNumber}`,
      valueTagClass: forge.asn1.Type.UTF8,
    } as unknown as forge.pki.CertificateField);
  }
  return attrs;
}

function certificate(
  subject: Subject,
  publicKey: forge.pki.rsa.PublicKey,
  issuer: { attrs: forge.pki.CertificateField[]; key: forge.pki.rsa.PrivateKey } | undefined,
  signerKey: forge.pki.rsa.PrivateKey,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000);
  const attrs = attributes(subject);
  cert.setSubject(attrs);
  cert.setIssuer(issuer ? issuer.attrs : attrs);
  cert.setExtensions(extensions);
  cert.sign(issuer ? issuer.key : signerKey, forge.md.sha256.create());
  return cert;
}

export function createTestPki(): TestPki {
  const ca = keyPair();
  const caCert = certificate(
    { commonName: 'Ferje Test CA', organizationName: 'Ferje Test' },
    ca.publicKey,
    undefined,
    ca.privateKey,
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  );
  const issuer = { attrs: caCert.subject.attributes, key: ca.privateKey };
  const server = keyPair();
  const serverCert = certificate(
    { commonName: 'Posten Bring AS (test)', organizationName: 'POSTEN BRING AS', organizationNumber: '984661185' },
    server.publicKey,
    issuer,
    ca.privateKey,
    [
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
    ],
  );
  const seal = keyPair();
  const sealCert = certificate(
    { commonName: 'Posten Bring AS (test seal)', organizationName: 'POSTEN BRING AS', organizationNumber: '984661185' },
    seal.publicKey,
    issuer,
    ca.privateKey,
    [{ name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true }],
  );
  const caCertPem = forge.pki.certificateToPem(caCert);
  return {
    caCertPem,
    server: { keyPem: server.pem, certPem: forge.pki.certificateToPem(serverCert) },
    seal: { keyPem: seal.pem, certPem: forge.pki.certificateToPem(sealCert) },
    enterprise(organizationNumber, passphrase, name = `Test Sender ${organizationNumber}`) {
      const kp = keyPair();
      const cert = certificate(
        { commonName: name, organizationName: name, organizationNumber },
        kp.publicKey,
        issuer,
        ca.privateKey,
        [
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', clientAuth: true },
        ],
      );
      const p12 = forge.pkcs12.toPkcs12Asn1(kp.privateKey, [cert, caCert], passphrase, { algorithm: '3des' });
      return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
    },
  };
}
