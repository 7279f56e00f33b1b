import { createHash, createSign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { EnterpriseKeystore } from '../../integrations/posten-signering/keystore';

const { asn1 } = forge;
const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
} as const;

type Asn1 = forge.asn1.Asn1;
const U = asn1.Class.UNIVERSAL;
const seq = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SEQUENCE, true, items);
const set = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SET, true, items);
const oid = (value: string): Asn1 => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
const int = (value: number): Asn1 => asn1.create(U, asn1.Type.INTEGER, false, String.fromCharCode(value));
const octets = (bytes: Buffer): Asn1 => asn1.create(U, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
const explicit = (tag: number, item: Asn1): Asn1 => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [item]);
const der = (item: Asn1): Buffer => Buffer.from(asn1.toDer(item).getBytes(), 'binary');
/** Parsed without looking into BIT STRINGs, so that encoding it again gives back the very same bytes. */
const fromDer = (bytes: Buffer): Asn1 =>
  (asn1.fromDer as unknown as (input: forge.util.ByteStringBuffer, options: object) => Asn1)(
    forge.util.createBuffer(bytes.toString('binary')),
    { strict: true, parseAllBytes: true, decodeBitStrings: false },
  );
const algorithm = (value: string): Asn1 => seq([oid(value), asn1.create(U, asn1.Type.NULL, false, '')]);

/** Issuer Name and serial number exactly as they are encoded in the certificate (re-encoding could change them). */
function issuerAndSerial(certDer: Buffer): { issuer: Asn1; serial: Asn1 } {
  const tbs = (fromDer(certDer).value as Asn1[])[0].value as Asn1[];
  const first = tbs[0].tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { serial: tbs[first], issuer: tbs[first + 2] };
}

/**
 * A CMS SignedData, detached (no encapsulated content), over `content`: the CAdES baseline attributes PAdES asks for
 * (content type, message digest, ESS signing-certificate-v2 and no signing-time, which PAdES keeps in the signature
 * dictionary), RSA with SHA-256, the seal's certificate chain included. Built with node-forge's ASN.1 encoder and
 * signed by Node's crypto: forge's PKCS#7 writer cannot encode signing-certificate-v2.
 */
export function detachedCms(seal: EnterpriseKeystore, content: Buffer): Buffer {
  const chain = seal.chainPem.map((pem) => new X509Certificate(pem).raw);
  const signer = chain[0];
  const { issuer, serial } = issuerAndSerial(signer);
  const essCertId = seq([
    octets(createHash('sha256').update(signer).digest()),
    seq([seq([explicit(4, issuer)]), serial]),
  ]);
  const attribute = (type: string, value: Asn1): Buffer => der(seq([oid(type), set([value])]));
  // DER: the members of a SET OF are sorted by their encodings.
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(createHash('sha256').update(content).digest())),
    attribute(OID.signingCertificateV2, seq([seq([essCertId])])),
  ].sort((x, y) => Buffer.compare(x, y));
  const signedAttrs = set(attributes.map(fromDer));
  const signature = createSign('RSA-SHA256').update(der(signedAttrs)).sign(seal.keyPem);
  // In SignerInfo the same attributes sit under [0] IMPLICIT instead of the SET tag they were signed with.
  const signedAttrsImplicit = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, signedAttrs.value);
  const signerInfo = seq([
    int(1),
    seq([issuer, serial]),
    algorithm(OID.sha256),
    signedAttrsImplicit,
    algorithm(OID.sha256WithRSA),
    octets(signature),
  ]);
  const signedData = seq([
    int(1),
    set([algorithm(OID.sha256)]),
    seq([oid(OID.data)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, chain.map(fromDer)),
    set([signerInfo]),
  ]);
  return der(seq([oid(OID.signedData), explicit(0, signedData)]));
}
