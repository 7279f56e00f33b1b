import { ensureDebianPackage } from './debian-packages';
import { dockerCompose, ensureGoTool, versitygw } from './go-tools';
import { ensurePostgres } from './postgres';
import { ensureTemporalServerBuild } from '../src/cluster/server-build';
import { locateTemporalBinary, TemporalBinaryNotFoundError, type TemporalTool } from '../src/temporal-bin/locate';

/**
 * Everything the dev stack and the tests need beyond node_modules: the Temporal CLI, the time-skipping test server,
 * the shared stores' real servers (Postgres 15, Versity's S3 gateway), (with --browser) Chromium for the UI test and
 * (with --cluster) the Temporal server built from source for the self-hosted cluster, and Docker Compose v2 that
 * validates docker-compose.yml. Idempotent and fast when already installed.
 */
export const chromiumPath = process.env.FERJE_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** xmlsec1: the independent XML-DSig verifier the Posten signering tests check Ferje's XAdES signatures with. */
export const xmlsec1Path = process.env.FERJE_XMLSEC1_PATH ?? '/usr/bin/xmlsec1';

/** pdfsig and pdfdetach (poppler): an independent PDF reader checks the simulator's PAdES signature and attachments. */
export const pdfsigPath = process.env.FERJE_PDFSIG_PATH ?? '/usr/bin/pdfsig';

/** Maven and a JDK: they fetch and compile Posten's official Java client, which a test runs against the simulator. */
export const mavenPath = process.env.FERJE_MAVEN_PATH ?? '/usr/bin/mvn';
export const javacPath = process.env.FERJE_JAVAC_PATH ?? '/usr/bin/javac';

/** Prometheus and promtool: the real scraper of the metrics test and the checker of the alert rules' tests. */
export const prometheusPath = process.env.FERJE_PROMETHEUS_PATH ?? '/usr/bin/prometheus';

function ensureChromium(): void {
  ensureDebianPackage('chromium', chromiumPath, 'browser test of the Temporal UI');
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

export function setup(options: { browser: boolean; cluster?: boolean }): void {
  reportBinary('cli');
  reportBinary('test-server');
  ensureDebianPackage('xmlsec1', xmlsec1Path, 'independent verification of XAdES signatures in tests');
  console.log(`setup: xmlsec1 ${xmlsec1Path}`);
  ensureDebianPackage('poppler-utils', pdfsigPath, 'independent check of the PAdES signature and attachments in tests');
  ensureDebianPackage('default-jdk-headless', javacPath, "compiling the program that drives Posten's Java client");
  ensureDebianPackage('maven', mavenPath, "resolving Posten's official Java client for the simulator test");
  console.log(`setup: maven ${mavenPath}, javac ${javacPath}`);
  console.log(`setup: postgres ${ensurePostgres()}`);
  console.log(`setup: versitygw ${ensureGoTool(versitygw)}`);
  ensureDebianPackage('prometheus', prometheusPath, 'metrics test against a real Prometheus, promtool test rules');
  console.log(`setup: prometheus ${prometheusPath}`);
  if (options.browser) {
    ensureChromium();
    console.log(`setup: chromium ${chromiumPath}`);
  }
  if (options.cluster) {
    // `ferje cluster up` and test/cluster: built once per machine (a few minutes), then found in .tools/.
    const build = ensureTemporalServerBuild({ log: (line) => console.log(`setup: ${line}`) });
    console.log(`setup: temporal-server ${build.version} ${build.server}`);
    console.log(`setup: docker-compose ${ensureGoTool(dockerCompose)}`);
  }
}

if (require.main === module) {
  try {
    setup({ browser: process.argv.includes('--browser'), cluster: process.argv.includes('--cluster') });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
