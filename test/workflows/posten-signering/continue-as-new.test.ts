import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { statusPollerWorkflowId, postenPollerStateQuery } from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { recordHistory } from '../../harness/histories';
import { createLocalTestEnv } from '../../harness/temporal';
import { signerWithPin, startTestbed, type Testbed } from './harness';

/** A dev server that suggests continue-as-new after 40 events, so both long-lived paths cross a run boundary. */
describe('posten signering: continue-as-new keeps state (server suggests it after 40 events)', () => {
  let env: TestWorkflowEnvironment;
  let bed: Testbed;
  before(async () => {
    env = await createLocalTestEnv(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40']);
    bed = await startTestbed({ env, rules: { emptyQueuePollDelayMs: 200 } });
    await bed.startWorker();
  });
  after(async () => {
    await bed.close();
    await env.teardown();
  });

  it('a job workflow continues as new between changes and still returns every signer and document', async () => {
    const handle = await bed.startJob(
      await bed.job('cas-1', [
        signerWithPin(111, 0),
        signerWithPin(112, 1),
        signerWithPin(113, 2),
        signerWithPin(114, 3),
      ]),
    );
    const jobId = await bed.jobIdOf('cas-1');
    for (let n = 1; n <= 4; n++) {
      bed.sim.model.sign(jobId, n);
      await bed.waitFor(`change ${n} confirmed`, () => bed.sim.model.stats.confirms >= n);
    }
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.deepEqual(
      result.signers.map((s) => [s.status, !!s.xades]),
      [
        ['SIGNED', true],
        ['SIGNED', true],
        ['SIGNED', true],
        ['SIGNED', true],
      ],
    );
    assert.ok(result.bundle && result.pades);
    assert.equal(bed.sim.model.stats.downloads, 5, 'nothing downloaded again after a run boundary');
    const runs = [];
    for await (const w of env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(w);
    assert.ok(runs.length > 1, 'the job crossed at least one run boundary');
    const first = runs.find((r) => r.status.name === 'CONTINUED_AS_NEW');
    assert.ok(first);
    await recordHistory(env.client, handle.workflowId, 'posten-signering-job-continued-as-new', { runId: first.runId });
  });

  it('the poller continues as new and carries its counters', async () => {
    const poller = env.client.workflow.getHandle(statusPollerWorkflowId(bed.sender));
    await bed.waitFor(
      'the poller crossed a run boundary',
      async () => (await poller.query(postenPollerStateQuery)).runs >= 2,
      60_000,
    );
    const state = await poller.query(postenPollerStateQuery);
    assert.ok(state.changesDispatched >= 4, 'counters survive continue-as-new');
    const runs = [];
    for await (const w of env.client.workflow.list({ query: `WorkflowId = '${poller.workflowId}'` })) runs.push(w);
    const first = runs.find((r) => r.status.name === 'CONTINUED_AS_NEW');
    assert.ok(first);
    await recordHistory(env.client, poller.workflowId, 'posten-signering-poller-continued-as-new', {
      runId: first.runId,
    });
  });
});
