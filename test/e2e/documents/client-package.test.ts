import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { projectDir } from '../../../src/config/ferje-config';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { packClient } from '../../../scripts/pack-client';
import { testKeyFilePath } from '../../harness/keys';
import { getTestEnv } from '../../harness/temporal';

const run = promisify(execFile);

const SCRATCH_TS = `
import { connectFerjeClient, defineFlow, startFlow, taskQueues, type BlobRef } from '@ferje/client';

interface ScratchInput { reference: string; document?: BlobRef }

const scratchFlow = defineFlow<ScratchInput, void>({
  name: 'scratch',
  workflowType: 'scratchFlow',
  taskQueue: process.env.SCRATCH_TASK_QUEUE ?? taskQueues.signstash,
  integration: 'signstash',
  inputTypeName: 'ScratchInput',
  outputTypeName: 'void',
  description: 'a flow started from another repository',
  workflowId: (input) => \`scratch/\${input.reference}\`,
  externalReference: (input) => input.reference,
  summary: (input) => \`scratch \${input.reference}\`,
});

async function main(): Promise<void> {
  const client = await connectFerjeClient();
  const started = await startFlow(client, scratchFlow, { reference: process.env.SCRATCH_REFERENCE! });
  const serverCode = Object.keys(require.cache).filter((k) =>
    /@temporalio[\\\\/]worker[\\\\/]|@ferje[\\\\/]client[\\\\/](workflows|activities|src[\\\\/](simulators|integrations|worker))[\\\\/]/.test(k),
  );
  console.log(JSON.stringify({ workflowId: started.workflowId, started: started.started, serverCode }));
  await client.connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

/** TypeScript callers in other repositories install Ferje's client package instead of importing Ferje's sources. */
describe('the @ferje/client package', () => {
  it('installs from its packed tarball into a scratch project, type-checks, and starts a flow', async () => {
    const env = await getTestEnv();
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-client-pkg-'));
    const tarball = packClient(path.join(dir, 'dist'));
    const scratch = path.join(dir, 'scratch');
    await run('mkdir', ['-p', scratch]);
    writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    // The registry supplies @temporalio/* and undici (from npm's cache when it has them); Ferje comes from the tarball.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
      cwd: scratch,
      timeout: 600_000,
    });
    assert.equal(
      existsSync(path.join(scratch, 'node_modules', '@temporalio', 'worker')),
      false,
      'the Temporal worker (native code) is not installed',
    );
    writeFileSync(path.join(scratch, 'start.ts'), SCRATCH_TS);
    const tsc = path.join(projectDir, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(
      process.execPath,
      [
        tsc,
        '--strict',
        '--skipLibCheck',
        '--module',
        'node16',
        '--moduleResolution',
        'node16',
        '--target',
        'ES2022',
        '--typeRoots',
        path.join(projectDir, 'node_modules', '@types'),
        '--types',
        'node',
        'start.ts',
      ],
      { cwd: scratch },
    ).catch((err: { stdout?: string }) => assert.fail(`the scratch project does not type-check:\n${err.stdout}`));

    const reference = `pkg-${Date.now()}`;
    const taskQueue = `scratch-${reference}`;
    const { stdout } = await run(process.execPath, ['start.js'], {
      cwd: scratch,
      env: {
        PATH: process.env.PATH,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: 'default',
        FERJE_CODEC_KEY_FILE: testKeyFilePath,
        SCRATCH_REFERENCE: reference,
        SCRATCH_TASK_QUEUE: taskQueue,
      },
    });
    const out = JSON.parse(stdout.trim()) as { workflowId: string; started: boolean; serverCode: string[] };
    assert.equal(out.workflowId, `scratch/${reference}`);
    assert.equal(out.started, true);
    assert.deepEqual(out.serverCode, []);
    const handle = env.client.workflow.getHandle(out.workflowId);
    const described = await handle.describe();
    assert.equal(described.taskQueue, taskQueue);
    assert.equal(described.typedSearchAttributes.get(searchAttributes.externalReference), reference);
    await handle.terminate('package test done');
  });
});
