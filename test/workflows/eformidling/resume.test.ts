import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { OutgoingMessageInput } from '../../../src/contract/eformidling';
import type { eformidlingOutgoingMessage } from '../../../workflows';
import { recordHistory } from '../../harness/histories';
import { testKeyEnv } from '../../harness/keys';
import {
  arkivmelding,
  control,
  spawnWorker,
  startRig,
  type EformidlingTestRig,
  type MessageView,
  type WorkerProcess,
} from './harness';

describe('eFormidling: crashes and lost answers resume without a duplicate message', () => {
  let rig: EformidlingTestRig;
  const workers: WorkerProcess[] = [];
  before(async () => {
    rig = await startRig({ worker: false });
  });
  after(async () => {
    for (const w of workers) await w.kill('SIGTERM');
    await rig.stop();
  });

  const workerEnv = (): Record<string, string> => ({
    ...testKeyEnv(),
    FIXTURE_ADDRESS: rig.env.address,
    FIXTURE_TASK_QUEUE: rig.taskQueue,
    FERJE_DATA_DIR: rig.dataDir,
    EFORMIDLING_BASE_URL: rig.sim.url,
    ...(process.env.FERJE_WORKFLOW_BUNDLE ? { FERJE_WORKFLOW_BUNDLE: process.env.FERJE_WORKFLOW_BUNDLE } : {}),
  });
  const start = (input: OutgoingMessageInput) =>
    rig.env.client.workflow.start<typeof eformidlingOutgoingMessage>('eformidlingOutgoingMessage', {
      workflowId: `eformidling-message/${input.messageId}`,
      taskQueue: rig.taskQueue,
      args: [input],
    });

  it('a worker killed mid-upload: the next worker uploads the file again and sends once', async () => {
    const first = await spawnWorker(workerEnv());
    workers.push(first);
    await control(rig, 'PUT', '/settings', { uploadThrottleBytesPerSecond: 4 * 1024 * 1024 });
    const input = await arkivmelding(rig, { documentBytes: 12 * 1024 * 1024 });
    const handle = await start(input);
    const deadline = Date.now() + 60_000;
    while (
      (await control<{ uploadsInProgress: number; stats: { uploads: number } }>(rig, 'GET', '/state'))
        .uploadsInProgress === 0
    ) {
      assert.ok(Date.now() < deadline, 'upload never started');
      await sleep(50);
    }
    await sleep(500);
    await first.kill('SIGKILL');
    await control(rig, 'PUT', '/settings', { uploadThrottleBytesPerSecond: 0 });
    workers.push(await spawnWorker(workerEnv()));

    const result = await handle.result();
    assert.equal(result.finalStatus, 'LEVERT');
    assert.equal(result.sendMode, 'multi-step');
    const view = await control<MessageView>(rig, 'GET', `/messages/${input.messageId}`);
    assert.equal(view.creates, 1, 'one create');
    assert.equal(view.conversations.length, 1, 'one conversation');
    const state = await control<{ stats: { uploadsAborted: number } }>(rig, 'GET', '/state');
    assert.ok(state.stats.uploadsAborted >= 1, 'the killed upload was cut off');
    await recordHistory(rig.env.client, handle.workflowId, 'eformidling-outgoing-worker-killed-mid-upload');
  });

  it('a lost answer to create: the retry hears "already exists", inspects and continues', async () => {
    if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null))
      workers.push(await spawnWorker(workerEnv()));
    await control(rig, 'POST', '/faults', {
      method: 'POST',
      path: '^/api/messages/out$',
      dropResponse: true,
      count: 1,
    });
    const input = await arkivmelding(rig, { documentBytes: 6 * 1024 * 1024 });
    const handle = await start(input);
    const result = await handle.result();
    assert.equal(result.finalStatus, 'LEVERT');
    assert.equal(result.resumedExisting, true);
    const view = await control<MessageView>(rig, 'GET', `/messages/${input.messageId}`);
    assert.equal(view.creates, 1);
    await recordHistory(rig.env.client, handle.workflowId, 'eformidling-outgoing-resumed-already-exists');
  });

  it('a lost answer to the one-step send: the retry finds the message sent and tracks it', async () => {
    await control(rig, 'POST', '/faults', {
      method: 'POST',
      path: '^/api/messages/out/multipart$',
      dropResponse: true,
      count: 1,
    });
    const input = await arkivmelding(rig);
    const handle = await start(input);
    const result = await handle.result();
    assert.equal(result.finalStatus, 'LEVERT');
    assert.equal(result.sendMode, 'one-step');
    assert.equal(result.resumedExisting, true);
    assert.equal((await control<MessageView>(rig, 'GET', `/messages/${input.messageId}`)).creates, 1);
  });
});
