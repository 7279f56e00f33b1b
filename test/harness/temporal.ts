import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { searchAttributes } from '../../src/contract/search-attributes';
import { locateTemporalBinary, TemporalBinaryNotFoundError, type TemporalTool } from '../../src/temporal-bin/locate';
import { testKeyRing } from './keys';

// Quiet by default; FERJE_TEST_SDK_LOG=INFO shows the SDK's worker lines when debugging a test.
Runtime.install({ logger: new DefaultLogger((process.env.FERJE_TEST_SDK_LOG as 'INFO' | undefined) ?? 'ERROR') });

/** Set by scripts/test.ts: one dev server shared by every test file of a run. */
export const SHARED_ADDRESS_VAR = 'FERJE_TEST_TEMPORAL_ADDRESS';

/**
 * The located binary, or — the last resort, for machines with internet access — the SDK's own cached download.
 * A test never skips for want of a server.
 */
function executable(tool: TemporalTool): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  try {
    return { type: 'existing-path', path: locateTemporalBinary(tool).path };
  } catch (err) {
    if (!(err instanceof TemporalBinaryNotFoundError)) throw err;
    console.warn(`${err.message}\nFalling back to the Temporal SDK's own download.`);
    return { type: 'cached-download' };
  }
}

/** Starts a real dev server from the located CLI binary. */
export async function createLocalTestEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: executable('cli'),
      searchAttributes: Object.values(searchAttributes),
      extraArgs,
    },
    client: { dataConverter: ferjeDataConverter(testKeyRing()) },
  });
}

let shared: Promise<TestWorkflowEnvironment> | undefined;

/**
 * The run's shared dev server when the test runner provides one, else a dev server for this file's process.
 * Tests isolate themselves with unique task queues and workflow IDs, not with separate servers.
 */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  shared ??= (async () => {
    const address = process.env[SHARED_ADDRESS_VAR];
    if (address) {
      return TestWorkflowEnvironment.createFromExistingServer({
        address,
        client: { dataConverter: ferjeDataConverter(testKeyRing()) },
      });
    }
    return createLocalTestEnv();
  })();
  return shared;
}

export async function teardownTestEnv(): Promise<void> {
  if (!shared) return;
  const env = await shared;
  shared = undefined;
  await env.teardown();
}

/** Time-skipping server for long timers (redelivery windows, renewals, lifetimes). Serial use only. */
export async function createTimeSkippingTestEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executable('test-server') },
    client: { dataConverter: ferjeDataConverter(testKeyRing()) },
  });
}
