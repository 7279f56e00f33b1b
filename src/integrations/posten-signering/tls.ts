import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import { loadPkcs12, organizationNumberOf, type EnterpriseKeystore } from './keystore';
import type { PostenSigneringConfig } from '../../modules/posten-signering/config';

export class ServerIdentityError extends Error {
  override readonly name = 'ServerIdentityError';
}

/**
 * Posten's API presents an enterprise certificate of Posten Bring AS, not one issued to the host name. As the
 * official clients do, host-name matching is replaced by: the chain validates to the configured roots (done by TLS
 * itself) and the leaf carries the expected organisation number.
 */
export function postenServerIdentityCheck(expectedOrganizationNumber: string) {
  return (_host: string, cert: PeerCertificate): Error | undefined => {
    if (!cert?.raw) return new ServerIdentityError('the server presented no certificate');
    const org = organizationNumberOf(new X509Certificate(cert.raw));
    if (org !== expectedOrganizationNumber) {
      return new ServerIdentityError(
        `the server certificate belongs to organisation ${org ?? 'unknown'}, expected ${expectedOrganizationNumber}`,
      );
    }
    return undefined;
  };
}

/** Reads the configured PKCS#12 keystore (absent when none is configured). */
export function loadConfiguredKeystore(config: PostenSigneringConfig): EnterpriseKeystore | undefined {
  return config.keystore ? loadPkcs12(readFileSync(config.keystore.file), config.keystore.passphrase) : undefined;
}

/** TLS options for undici: client certificate, configured roots, organisation-number identity check. */
export function postenConnectOptions(
  config: PostenSigneringConfig,
  keystore: EnterpriseKeystore | undefined,
): ConnectionOptions {
  const connect: ConnectionOptions = {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    checkServerIdentity: postenServerIdentityCheck(config.serverOrganizationNumber),
  };
  if (keystore) {
    connect.key = keystore.keyPem;
    connect.cert = keystore.chainPem.join('\n');
  }
  if (config.trustedRootsFile) connect.ca = readFileSync(config.trustedRootsFile, 'utf8');
  return connect;
}
