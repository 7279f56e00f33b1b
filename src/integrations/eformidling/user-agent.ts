import { readFileSync } from 'node:fs';
import { arch, type } from 'node:os';
import path from 'node:path';
import { projectDir } from '../../config/ferje-config';

let cached: string | undefined;

/** `Ferje/<version> (<platform>)`, e.g. `Ferje/0.1.0 (Linux x86_64)`: the form the IP docs ask integrators to send. */
export function ferjeUserAgent(): string {
  if (cached) return cached;
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // A bundled deployment without package.json still identifies itself.
  }
  const machine = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch();
  cached = `Ferje/${version} (${type()} ${machine})`;
  return cached;
}
