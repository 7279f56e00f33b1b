import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { FlowStartError } from '../../src/client/flow-errors';
import { flowClient, signalWithStartFlow, startFlow, TEMPORAL_BLOB_LIMIT_BYTES } from '../../src/client/flows';
import { checkKeySegment, InputProblems, isRecord } from '../../src/contract/input-rules';
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

  const guardedFlow = (idReusePolicy: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE_FAILED_ONLY') =>
    defineFlow<{ key: string; n: number }, number>({
      name: 'fixture-guarded',
      workflowType: 'guardedFixtureWorkflow',
      taskQueue,
      integration: 'signstash',
      inputTypeName: 'none',
      outputTypeName: 'none',
      description: 'fixture',
      idReusePolicy,
      validate: (input) => {
        const problems = new InputProblems();
        if (!isRecord(input)) problems.add('', 'must be an object');
        else checkKeySegment(problems, '/key', input.key);
        return problems.list;
      },
      workflowId: (input) => businessKey('fixture-guarded', input.key),
      externalReference: (input) => input.key,
      summary: (input) => `Guarded ${input.key}`,
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

  it('validates with the flow validator before deriving the key: `{}` gets words, not a search attribute error', async () => {
    const err = await startFlow(env.client, guardedFlow('REJECT_DUPLICATE'), {} as never).then(
      () => assert.fail('should be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof FlowStartError, String(err));
    assert.equal(err.kind, 'invalid-input');
    assert.match(err.message, /Invalid input for fixture-guarded: \/key must be 1-128 characters/);
    // A flow without a validator still refuses an input it cannot derive its key from, in words.
    const noKey = await startFlow(env.client, waitFlow, {} as never).then(
      () => assert.fail('should be refused'),
      (e: unknown) => e,
    );
    assert.ok(noKey instanceof FlowStartError, String(noKey));
    assert.doesNotMatch(noKey.message, /search attribute/i);
    assert.match(noKey.message, /gives no (business key|external reference)/);
  });

  it("refuses an input above Temporal's blob limit before the start, saying so", async () => {
    const input = { entryKey: `big${Date.now()}`, padding: 'x'.repeat(TEMPORAL_BLOB_LIMIT_BYTES + 1) };
    const err = await startFlow(env.client, ledgerFlow, input).then(
      () => assert.fail('should be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof FlowStartError, String(err));
    assert.equal(err.kind, 'input-too-large');
    assert.match(err.message, /Temporal refuses more than 2097152 bytes/);
    await assert.rejects(env.client.workflow.getHandle(ledgerFlow.workflowId(input)).describe(), /not found/i);
  });

  it('tells a second start with the same input from one with a different input (input hash in the memo)', async () => {
    const input = { caseRef: `h${Date.now()}`, personalIdentificationNumber: '13097248022' };
    const first = await startFlow(env.client, waitFlow, input);
    const description = await first.handle.describe();
    assert.match(String(description.memo?.ferjeInputSha256), /^[0-9a-f]{64}$/);
    const reordered = { personalIdentificationNumber: input.personalIdentificationNumber, caseRef: input.caseRef };
    const same = await startFlow(env.client, waitFlow, reordered);
    assert.deepEqual([same.started, same.sameInput], [false, true], 'key order does not make an input different');
    const different = await startFlow(env.client, waitFlow, { ...input, personalIdentificationNumber: '1' });
    assert.deepEqual([different.started, different.sameInput], [false, false]);
    await first.handle.cancel();
  });

  it('starts a failed flow again under the same key only where the flow allows it', async () => {
    const key = `reuse${Date.now()}`;
    const allowing = guardedFlow('ALLOW_DUPLICATE_FAILED_ONLY');
    const failed = await startFlow(env.client, allowing, { key, n: 13 });
    await assert.rejects(failed.result(), WorkflowFailedError);
    const again = await startFlow(env.client, allowing, { key, n: 2 });
    assert.equal(again.started, true, 'a failed run does not burn the key');
    assert.equal(await again.result(), 4);
    const afterSuccess = await startFlow(env.client, allowing, { key, n: 3 });
    assert.equal(afterSuccess.started, false, 'a completed run keeps its key');

    const rejecting = guardedFlow('REJECT_DUPLICATE');
    const key2 = `${key}-r`;
    await assert.rejects((await startFlow(env.client, rejecting, { key: key2, n: 13 })).result(), WorkflowFailedError);
    assert.equal((await startFlow(env.client, rejecting, { key: key2, n: 2 })).started, false);
  });

  it('signal-with-starts through the flow definition: started once, signalled every time', async () => {
    const input = { caseRef: `sws${Date.now()}`, personalIdentificationNumber: '13097248022' };
    const first = await signalWithStartFlow(env.client, waitFlow, input, proceedSignal, { note: 'first' });
    assert.equal(first.workflowId, waitFlow.workflowId(input));
    assert.equal(await first.handle.result(), `${input.caseRef}: first`);
    const description = await first.handle.describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.externalReference), input.caseRef);
    assert.match(String(description.memo?.ferjeInputSha256), /^[0-9a-f]{64}$/);
  });
});
