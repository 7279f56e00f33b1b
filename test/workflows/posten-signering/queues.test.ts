import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { statusPollerWorkflowId, postenPollerStateQuery } from '../../../src/contract/posten-signering';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { signerWithPin, startTestbed, type Testbed } from './harness';

describe('posten signering: several polling queues side by side', () => {
  let bed: Testbed;
  before(async () => {
    bed = await startTestbed();
    await bed.startWorker();
  });
  after(() => bed.close());

  it('jobs on two named queues and the default queue each complete through their own poller', async () => {
    const inputs = [
      await bed.job('queue-a', [signerWithPin(91)], { pollingQueue: 'q-a' }),
      await bed.job('queue-b', [signerWithPin(92)], { pollingQueue: 'q-b' }),
      await bed.job('queue-default', [signerWithPin(93)]),
    ];
    const handles = await Promise.all(inputs.map((i) => bed.startJob(i)));
    for (const input of inputs) bed.sim.model.sign(await bed.jobIdOf(input.reference), 1);
    const results = (await Promise.all(handles.map((h) => h.result()))) as PostenSignatureJobResult[];
    assert.deepEqual(
      results.map((r) => r.status),
      ['COMPLETED_SUCCESSFULLY', 'COMPLETED_SUCCESSFULLY', 'COMPLETED_SUCCESSFULLY'],
    );
    for (const queue of ['q-a', 'q-b', undefined]) {
      const state = await bed.env.client.workflow
        .getHandle(statusPollerWorkflowId(bed.sender, queue))
        .query(postenPollerStateQuery);
      assert.equal(state.pollingQueue, queue);
      assert.equal(state.changesDispatched, 1, `poller of ${queue ?? 'the default queue'} routed its own job's change`);
    }
    assert.equal(bed.sim.model.stats.http429, 0);
  });
});
