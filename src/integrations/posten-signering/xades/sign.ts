import { createHash, createPrivateKey, createSign, type KeyObject, X509Certificate } from 'node:crypto';
import { canonicalize } from '../xml/c14n';
import { findById, parseXml, NS } from '../xml/dom';
import { escapeAttr, escapeText } from '../xml/escape';
import type { EnterpriseKeystore } from '../keystore';
import { ALGORITHMS } from './constants';

export interface SignedFile {
  /** Zip entry name; also the Reference URI (names are restricted to a URL-safe alphabet by the bundle builder). */
  name: string;
  bytes: Uint8Array;
  mimeType: string;
}

/**
 * `META-INF/signatures.xml`: an ASiC-E XAdES (B-level) signature over every file outside META-INF, made the way
 * Posten's official clients make it: RSA-SHA256 over SignedInfo in inclusive c14n 1.0, SHA-256 references without
 * transforms, a SignedProperties reference with one c14n transform, SHA-1 digest of the signing certificate.
 *
 * The document is assembled as text and parsed back before each digest, so the SignedProperties digest is computed
 * on the element in its final namespace context (it inherits the root's default namespace and `xmlns:ds`).
 * Only text content is filled in afterwards (digest and signature values), which changes neither canonical form.
 */
export function signBundleFiles(files: SignedFile[], keystore: EnterpriseKeystore, signingTime: Date): string {
  const cert = keystore.certificate;
  const refs = files.map(
    (f, i) =>
      `<ds:Reference Id="ID_${i}" URI="${escapeAttr(f.name)}">` +
      `<ds:DigestMethod Algorithm="${ALGORITHMS.sha256}"/>` +
      `<ds:DigestValue>${sha256(f.bytes)}</ds:DigestValue></ds:Reference>`,
  );
  const dataObjectFormats = files.map(
    (f, i) =>
      `<xades:DataObjectFormat ObjectReference="#ID_${i}"><xades:MimeType>${escapeText(f.mimeType)}</xades:MimeType></xades:DataObjectFormat>`,
  );
  const signedProperties =
    '<xades:SignedProperties Id="SignedProperties"><xades:SignedSignatureProperties>' +
    `<xades:SigningTime>${signingTime.toISOString()}</xades:SigningTime>` +
    '<xades:SigningCertificate><xades:Cert><xades:CertDigest>' +
    `<ds:DigestMethod Algorithm="${ALGORITHMS.sha1}"/>` +
    `<ds:DigestValue>${createHash('sha1').update(cert.raw).digest('base64')}</ds:DigestValue>` +
    '</xades:CertDigest><xades:IssuerSerial>' +
    `<ds:X509IssuerName>${escapeText(rfc2253(cert.issuer))}</ds:X509IssuerName>` +
    `<ds:X509SerialNumber>${BigInt(`0x${cert.serialNumber}`).toString(10)}</ds:X509SerialNumber>` +
    '</xades:IssuerSerial></xades:Cert></xades:SigningCertificate></xades:SignedSignatureProperties>' +
    `<xades:SignedDataObjectProperties>${dataObjectFormats.join('')}</xades:SignedDataObjectProperties>` +
    '</xades:SignedProperties>';
  const certificates = keystore.chainPem
    .map((pem) => `<ds:X509Certificate>${new X509Certificate(pem).raw.toString('base64')}</ds:X509Certificate>`)
    .join('');

  const template = (signedPropertiesDigest: string, signatureValue: string): string =>
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>' +
    `<XAdESSignatures xmlns="${NS.asic}" xmlns:ds="${NS.ds}">` +
    '<ds:Signature Id="Signature"><ds:SignedInfo>' +
    `<ds:CanonicalizationMethod Algorithm="${ALGORITHMS.c14n}"/>` +
    `<ds:SignatureMethod Algorithm="${ALGORITHMS.rsaSha256}"/>` +
    refs.join('') +
    `<ds:Reference Type="${ALGORITHMS.signedPropertiesType}" URI="#SignedProperties">` +
    `<ds:Transforms><ds:Transform Algorithm="${ALGORITHMS.c14n}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${ALGORITHMS.sha256}"/>` +
    `<ds:DigestValue>${signedPropertiesDigest}</ds:DigestValue></ds:Reference>` +
    `</ds:SignedInfo><ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data>${certificates}</ds:X509Data></ds:KeyInfo>` +
    `<ds:Object><xades:QualifyingProperties xmlns:xades="${NS.xades}" Target="#Signature">` +
    signedProperties +
    '</xades:QualifyingProperties></ds:Object></ds:Signature></XAdESSignatures>';

  const first = parseXml(template('', ''));
  const sp = findById(first.documentElement!, 'SignedProperties');
  if (!sp) throw new Error('SignedProperties missing from the signature template');
  const spDigest = sha256(Buffer.from(canonicalize(sp), 'utf8'));

  const second = parseXml(template(spDigest, ''));
  const signedInfo = second.getElementsByTagNameNS(NS.ds, 'SignedInfo')[0];
  const signatureValue = createSign('RSA-SHA256')
    .update(Buffer.from(canonicalize(signedInfo), 'utf8'))
    .sign(signingKey(keystore), 'base64');
  return template(spDigest, signatureValue);
}

/**
 * The keystore's private key, parsed once: signing with the PEM text parses it on every call, which cost about 4 ms
 * of a job's 5 ms signature (bench:scale creates 10 000 jobs through this path).
 */
const signingKeys = new WeakMap<EnterpriseKeystore, KeyObject>();
function signingKey(keystore: EnterpriseKeystore): KeyObject {
  let key = signingKeys.get(keystore);
  if (!key) {
    key = createPrivateKey(keystore.keyPem);
    signingKeys.set(keystore, key);
  }
  return key;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** Node prints distinguished names one attribute per line, most significant first; XML-DSig wants RFC 2253 order. */
export function rfc2253(name: string): string {
  return name
    .split('\n')
    .filter((l) => l.length > 0)
    .reverse()
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      const value = rdn.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1');
      return `${rdn.slice(0, eq)}=${value}`;
    })
    .join(', ');
}
