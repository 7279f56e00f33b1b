import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { canonicalize } from '../xml/c14n';
import { child, childElements, descendants, findById, parseXml, NS } from '../xml/dom';
import { ALGORITHMS } from './constants';

export interface SignatureCheck {
  valid: boolean;
  /** Why not, in a sentence fit for an error body (no document contents). */
  problem?: string;
  signer?: X509Certificate;
}

export interface VerifyOptions {
  /** Every file outside META-INF, by zip entry name. */
  files: Map<string, Uint8Array>;
  now: Date;
  /** Allowed distance of SigningTime from `now`. */
  signingTimeToleranceMs: number;
  /** When given, the signing certificate must be issued by one of these. */
  trustedIssuers?: X509Certificate[];
}

/**
 * Verifies an ASiC-E `signatures.xml` as Posten's profile requires: every file outside META-INF referenced with a
 * matching SHA-256 digest, the SignedProperties digest over its canonical form in context, the RSA-SHA256 signature
 * over canonical SignedInfo, the SHA-1 signing-certificate digest, and a SigningTime close to now.
 */
export function verifyBundleSignature(signaturesXml: string, options: VerifyOptions): SignatureCheck {
  const fail = (problem: string): SignatureCheck => ({ valid: false, problem });
  let doc;
  try {
    doc = parseXml(signaturesXml);
  } catch (err) {
    return fail(`signatures.xml: ${(err as Error).message}`);
  }
  const rootEl = doc.documentElement!;
  if (rootEl.namespaceURI !== NS.asic || rootEl.localName !== 'XAdESSignatures') {
    return fail('signatures.xml: root must be XAdESSignatures');
  }
  const signature = child(rootEl, NS.ds, 'Signature');
  if (!signature) return fail('signatures.xml: no ds:Signature');
  const signedInfo = child(signature, NS.ds, 'SignedInfo');
  if (!signedInfo) return fail('signatures.xml: no SignedInfo');
  if (child(signedInfo, NS.ds, 'CanonicalizationMethod')?.getAttribute('Algorithm') !== ALGORITHMS.c14n) {
    return fail('SignedInfo must use inclusive c14n 1.0');
  }
  if (child(signedInfo, NS.ds, 'SignatureMethod')?.getAttribute('Algorithm') !== ALGORITHMS.rsaSha256) {
    return fail('SignatureMethod must be RSA-SHA256');
  }
  const referenced = new Set<string>();
  let signedPropertiesSeen = false;
  for (const ref of childElements(signedInfo, NS.ds, 'Reference')) {
    const uri = ref.getAttribute('URI') ?? '';
    if (child(ref, NS.ds, 'DigestMethod')?.getAttribute('Algorithm') !== ALGORITHMS.sha256) {
      return fail('every Reference must use SHA-256');
    }
    const expected = (child(ref, NS.ds, 'DigestValue')?.textContent ?? '').trim();
    let actual: string;
    if (uri.startsWith('#')) {
      const target = findById(rootEl, uri.slice(1));
      if (!target) return fail(`Reference ${uri} points nowhere`);
      const transforms = descendants(ref, NS.ds, 'Transform').map((t) => t.getAttribute('Algorithm'));
      if (transforms.length !== 1 || transforms[0] !== ALGORITHMS.c14n) {
        return fail(`Reference ${uri} must have exactly one inclusive c14n transform`);
      }
      actual = digest('sha256', Buffer.from(canonicalize(target), 'utf8'));
      if (ref.getAttribute('Type') === ALGORITHMS.signedPropertiesType) signedPropertiesSeen = true;
    } else {
      const name = decodeURIComponent(uri);
      const bytes = options.files.get(name);
      if (!bytes) return fail(`Reference to a file that is not in the bundle`);
      if (child(ref, NS.ds, 'Transforms')) return fail('file References must have no Transforms');
      referenced.add(name);
      actual = digest('sha256', bytes);
    }
    if (actual !== expected) return fail(`digest mismatch for Reference ${uri.startsWith('#') ? uri : 'to a file'}`);
  }
  if (!signedPropertiesSeen) return fail('no Reference to SignedProperties');
  for (const name of options.files.keys()) {
    if (!referenced.has(name)) return fail('a file in the bundle is not covered by the signature');
  }
  const certText = descendants(signature, NS.ds, 'X509Certificate')[0]?.textContent;
  if (!certText) return fail('no X509Certificate in KeyInfo');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certText.replace(/\s+/g, ''), 'base64'));
  } catch {
    return fail('KeyInfo certificate cannot be read');
  }
  const signatureValue = (child(signature, NS.ds, 'SignatureValue')?.textContent ?? '').replace(/\s+/g, '');
  const ok = createVerify('RSA-SHA256')
    .update(Buffer.from(canonicalize(signedInfo), 'utf8'))
    .verify(cert.publicKey, signatureValue, 'base64');
  if (!ok) return fail('SignatureValue does not verify with the KeyInfo certificate');

  const sp = findById(rootEl, 'SignedProperties');
  const certDigest = sp ? descendants(sp, NS.xades, 'CertDigest')[0] : undefined;
  if (!certDigest) return fail('no SigningCertificate/CertDigest');
  if (child(certDigest, NS.ds, 'DigestMethod')?.getAttribute('Algorithm') !== ALGORITHMS.sha1) {
    return fail('CertDigest must be SHA-1');
  }
  if ((child(certDigest, NS.ds, 'DigestValue')?.textContent ?? '').trim() !== digest('sha1', cert.raw)) {
    return fail('CertDigest does not match the signing certificate');
  }
  const signingTime = Date.parse(sp ? (descendants(sp, NS.xades, 'SigningTime')[0]?.textContent ?? '') : '');
  if (isNaN(signingTime)) return fail('no SigningTime');
  if (Math.abs(signingTime - options.now.getTime()) > options.signingTimeToleranceMs) {
    return fail('SigningTime is not close to the current time');
  }
  if (
    options.trustedIssuers &&
    !options.trustedIssuers.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))
  ) {
    return fail('the signing certificate is not issued by a trusted CA');
  }
  return { valid: true, signer: cert };
}

function digest(algorithm: 'sha256' | 'sha1', bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('base64');
}
