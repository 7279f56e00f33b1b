import type { CliCommandInfo } from '../../platform/lazy';

/** The `posten-bundle` command as the CLI lists it; the command itself (XSD validator, keystore) loads on use. */
export const postenBundleCommandInfo: CliCommandInfo = {
  name: 'posten-bundle',
  usage: 'ferje posten-bundle --job job.json --out dir [--test-certificate]',
  description: 'Write the request XML, manifest, signed ASiC-E bundle and signatures.xml of a Posten job to disk',
};
