import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { workerObservability } from '../../src/worker/observability';
import * as workflows from '../../workflows';
import { loadCommittedHistories } from '../harness/histories';
import { testKeyRing } from '../harness/keys';
import { productionWorkflowSource } from '../harness/worker';

/**
 * The deploy gate: every committed history replays against the production bundle. A failure here means the change
 * needs `patched()`, never a re-recording. Histories are encrypted with the committed test key, so this also proves
 * that encrypted histories stay replayable.
 */
describe('replay of committed histories', () => {
  it('replays every history without a determinism violation', async () => {
    const histories = await loadCommittedHistories();
    const source = await productionWorkflowSource();
    const results = Worker.runReplayHistories(
      {
        ...source,
        // The bundle's tracing interceptors expect their span sink, as on a production worker.
        sinks: workerObservability().sinks,
        dataConverter: ferjeDataConverter(testKeyRing()),
        replayName: 'ferje-replay',
      },
      histories.map((h) => ({ workflowId: h.meta.workflowId, history: h.history })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of results) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, []);
  });

  it('has at least one committed history for every workflow type in the bundle', async () => {
    const types = Object.entries(workflows)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);
    const recorded = new Set((await loadCommittedHistories()).map((h) => h.meta.workflowType));
    assert.deepEqual(
      types.filter((t) => !recorded.has(t)),
      [],
      'record them with "npm run record-histories"',
    );
  });
});
