import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { eformidlingOutgoingMessage, eformidlingStatusQueueReader } from '../../../workflows';
import { recordHistory } from '../../harness/histories';
import { arkivmelding, control, startRig, type EformidlingTestRig } from './harness';

describe('eFormidling status-queue reader', () => {
  let rig: EformidlingTestRig;
  before(async () => {
    rig = await startRig({ settings: { statusQueueIncludes: ['DPO'] } });
  });
  after(async () => {
    await rig.stop();
  });

  it('routes queued statuses to the message workflow and acknowledges them', async () => {
    const readerId = `eformidling-status-queue/t-${Date.now()}`;
    await rig.env.client.workflow.start<typeof eformidlingStatusQueueReader>('eformidlingStatusQueueReader', {
      workflowId: readerId,
      taskQueue: rig.taskQueue,
      args: [{ pollInterval: '200 ms' }],
    });
    const input = await arkivmelding(rig, { tracking: { pollInitialInterval: '1 hour', pollMaxInterval: '1 hour' } });
    const started = Date.now();
    const result = await rig.env.client.workflow.execute<typeof eformidlingOutgoingMessage>(
      'eformidlingOutgoingMessage',
      {
        workflowId: `eformidling-message/${input.messageId}`,
        taskQueue: rig.taskQueue,
        args: [input],
      },
    );
    assert.equal(result.finalStatus, 'LEVERT');
    assert.ok(Date.now() - started < 30_000);
    const deadline = Date.now() + 10_000;
    let state = await control<{ statusQueue: number; stats: { statusQueueDeletes: number } }>(rig, 'GET', '/state');
    while (state.statusQueue > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = await control(rig, 'GET', '/state');
    }
    assert.equal(state.statusQueue, 0);
    assert.ok(state.stats.statusQueueDeletes >= 4);
    await recordHistory(rig.env.client, `eformidling-message/${input.messageId}`, 'eformidling-outgoing-status-queue');
    await recordHistory(rig.env.client, readerId, 'eformidling-status-queue-reader');
    await rig.env.client.workflow.getHandle(readerId).terminate('test done');
  });
});
