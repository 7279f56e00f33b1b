import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectDir } from '../src/config/ferje-config';
import { defaultBundlePath } from '../src/worker/bundle';
import { createLocalTestEnv, SHARED_ADDRESS_VAR } from '../test/harness/temporal';
import { ensureFreeDiskSpace, NotEnoughDiskSpaceError } from './disk-space';
import { setup } from './setup';
import { openRunTempDir } from './test-run-temp';

/**
 * `npm test`: setup → lint → typecheck → build (tsc + workflow bundle) → unit, workflow, e2e, cluster and replay tests on
 * node's test runner, against one real dev server shared by the whole run. Exits non-zero if any step fails.
 *   npm test -- --suite unit,replay     run only some test suites (static checks still run unless --no-static)
 *   npm test -- test/unit/codec.test.ts run only these files (or the test files under these folders)
 * Everything the tests write to the temp directory goes under one directory of this run, removed at its end.
 */
const suites = ['unit', 'workflows', 'e2e', 'cluster', 'replay'] as const;

/** What a run writes at its peak is under 1 GiB (measured: 0.6 GiB left by the temp directories of one run). */
const neededDiskBytes = 3 * 1024 ** 3;

/**
 * A test file that runs longer than this fails as timed out, so that a stalled server costs one file, not the CI run.
 * The longest file takes about 3 minutes (the two-machine cluster test); a stall on a full disk hung two files for
 * 70 minutes, until CI's limit.
 */
const fileTimeoutMinutes = Number(process.env.FERJE_TEST_FILE_TIMEOUT_MINUTES ?? '15');

function run(label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = Date.now();
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env, cwd: projectDir });
    child.on('exit', (code, signal) => {
      console.log(
        `◀ ${label}: ${code === 0 ? 'ok' : `FAILED (${signal ?? code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      resolve(code ?? 1);
    });
  });
}

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return testFiles(full);
    return entry.endsWith('.test.ts') ? [full] : [];
  });
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { suite: { type: 'string' }, 'no-static': { type: 'boolean', default: false } },
  });
  const started = Date.now();
  const chosen = values.suite ? values.suite.split(',') : [...suites];
  // A directory is expanded here: node 20's test runner treats it as a file pattern, matches nothing and passes.
  const files =
    positionals.length > 0
      ? positionals.flatMap((p) => {
          const full = path.resolve(p);
          return existsSync(full) && statSync(full).isDirectory() ? testFiles(full).sort() : [full];
        })
      : chosen.flatMap((suite) => testFiles(path.join(projectDir, 'test', suite))).sort();
  if (files.length === 0) {
    console.error('No test files: nothing would run');
    return 1;
  }

  if (!(fileTimeoutMinutes > 0)) {
    console.error('FERJE_TEST_FILE_TIMEOUT_MINUTES must be a positive number of minutes');
    return 1;
  }
  ensureFreeDiskSpace(tmpdir(), neededDiskBytes, 'npm test');
  const runTemp = openRunTempDir();
  setup({
    browser: files.some((f) => f.includes(`${path.sep}e2e${path.sep}`)),
    cluster: files.some((f) => f.includes(`${path.sep}cluster${path.sep}`)),
  });
  const npx = 'npx';
  const failures: string[] = [];
  if (!values['no-static']) {
    if ((await run('lint', npx, ['eslint', '.'])) !== 0) failures.push('lint');
    if ((await run('format', npx, ['prettier', '--check', '.'])) !== 0) failures.push('format');
    if ((await run('typecheck', npx, ['tsc', '--noEmit'])) !== 0) failures.push('typecheck');
  }
  if ((await run('build', 'npm', ['run', '--silent', 'build'])) !== 0) failures.push('build');
  if (!existsSync(defaultBundlePath)) {
    console.error('No workflow bundle: cannot run workflow or replay tests');
    return 1;
  }

  console.log('\n▶ starting the shared Temporal dev server');
  const env = await createLocalTestEnv();
  console.log(`◀ dev server at ${env.address}`);
  mkdirSync(path.join(projectDir, 'test-results'), { recursive: true });
  try {
    const code = await run(
      `tests (${files.length} files)`,
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${process.env.FERJE_TEST_CONCURRENCY ?? '2'}`,
        `--test-timeout=${fileTimeoutMinutes * 60_000}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=junit',
        '--test-reporter-destination=test-results/junit.xml',
        ...files,
      ],
      {
        ...process.env,
        [SHARED_ADDRESS_VAR]: env.address,
        FERJE_WORKFLOW_BUNDLE: defaultBundlePath,
        FERJE_LOG_LEVEL: process.env.FERJE_LOG_LEVEL ?? 'WARN',
      },
    );
    if (code !== 0) failures.push('tests');
  } finally {
    await env.teardown();
    runTemp.remove();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  if (failures.length > 0) {
    console.error(
      `\nnpm test FAILED (${failures.join(', ')}) after ${minutes} min; JUnit report: test-results/junit.xml`,
    );
    return 1;
  }
  console.log(`\nnpm test passed in ${minutes} min; JUnit report: test-results/junit.xml`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A full disk is the machine's state, not a fault in here: its message says all there is.
    console.error(err instanceof NotEnoughDiskSpaceError ? `npm test: ${err.message}` : err);
    process.exit(1);
  },
);
