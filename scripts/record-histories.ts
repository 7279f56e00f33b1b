import { spawnSync } from 'node:child_process';

/**
 * Runs the workflow tests with FERJE_RECORD_HISTORIES=1 so that tests which call recordHistory() write the
 * histories of their main paths to test/replay/histories/. Existing files are kept (see recordHistory).
 *   npm run record-histories                       all workflow and e2e tests
 *   npm run record-histories -- test/workflows/x.test.ts
 */
const files = process.argv.slice(2);
const result = spawnSync(
  'npm',
  ['test', '--', '--no-static', ...(files.length > 0 ? files : ['--suite', 'workflows,e2e'])],
  { stdio: 'inherit', env: { ...process.env, FERJE_RECORD_HISTORIES: '1' } },
);
process.exit(result.status ?? 1);
