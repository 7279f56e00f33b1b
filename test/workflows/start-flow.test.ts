import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { flowClient, startFlow } from '../../src/client/flows';
import { defineFlow } from '../../src/contract/flow';
import { searchAttributes } from '../../src/contract/search-attributes';
import { businessKey } from '../../src/contract/workflow-ids';
import { createFixtureActivities } from '../fixtures/activities';
import { proceedSignal, stageQuery, type LedgerInput, type LedgerResult } from '../fixtures/workflows';
import { getTestEnv } from '../harness/temporal';
import { createTestWorker, fixtureWorkflowSource, fixturesDir, uniqueTaskQueue } from '../harness/worker';

describe('starting flows through the typed client (real dev server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('flows');
  const ledgerFlow = defineFlow<LedgerInput, LedgerResult>({
    name: 'fixture-ledger',
    workflowType: 'ledgerWorkflow',
    taskQueue,
    integration: 'signstash',
    inputTypeName: 'none',
    outputTypeName: 'none',
    description: 'fixture',
    workflowId: (input) => businessKey('fixture-ledger', input.entryKey),
    externalReference: (input) => input.entryKey,
    summary: (input) => `Ledger entry ${input.entryKey}`,
  });
  const waitFlow = defineFlow<{ caseRef: string; personalIdentificationNumber: string }, string>({
    name: 'fixture-wait',
    taskQueue,
    integration: 'signstash',
    inputTypeName: 'none',
    outputTypeName: 'none',
    description: 'fixture',
    workflowType: 'awaitProceedWorkflow',
    workflowId: (input) => businessKey('fixture-wait', input.caseRef),
    externalReference: (input) => input.caseRef,
    summary: (input) => `Case ${input.caseRef}`,
  });

  before(async () => {
    env = await getTestEnv();
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-flows-'));
    writeFileSync(path.join(dir, 'release'), '');
    worker = await createTestWorker({
      env,
      taskQueue,
      activities: createFixtureActivities(dir),
      source: await fixtureWorkflowSource(path.join(fixturesDir, 'workflows')),
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
  });

  it('is idempotent on the business key, while running and after completion', async () => {
    const input = { entryKey: `k${Date.now()}` };
    const first = await startFlow(env.client, ledgerFlow, input);
    const second = await startFlow(env.client, ledgerFlow, input);
    assert.equal(first.started, true);
    assert.equal(second.started, false);
    assert.equal(second.workflowId, first.workflowId);
    assert.deepEqual(await second.result(), { entryKey: input.entryKey, attempts: 1 });
    const third = await startFlow(env.client, ledgerFlow, input);
    assert.equal(third.started, false, 'a closed execution is not started again');
    assert.deepEqual(await third.result(), { entryKey: input.entryKey, attempts: 1 });
  });

  it('sets the search attributes and summary operators filter and read by', async () => {
    const input = { entryKey: `sa${Date.now()}` };
    const started = await startFlow(env.client, ledgerFlow, input);
    await started.result();
    const description = await started.handle.describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.integration), 'signstash');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.externalReference), input.entryKey);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'RECORDED');
    assert.equal(await description.staticSummary(), `Ledger entry ${input.entryKey}`);
  });

  it('signals, queries and cancels through the flow client', async () => {
    const flows = flowClient(env.client, waitFlow);
    const input = { caseRef: `c${Date.now()}`, personalIdentificationNumber: '13097248022' };
    const { workflowId } = await flows.start(input);
    assert.equal(await flows.query(workflowId, stageQuery), 'waiting');
    await flows.signal(workflowId, proceedSignal, { note: 'go' });
    assert.equal(await flows.result(workflowId), `${input.caseRef}: go`);

    const other = await flows.start({ ...input, caseRef: `${input.caseRef}-x` });
    await flows.cancel(other.workflowId);
    await assert.rejects(other.result(), /cancel/i);
  });
});
