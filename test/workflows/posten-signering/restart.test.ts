import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PostenSignatureJobResult } from '../../../src/contract/posten-signering';
import { PostenSignatureClient } from '../../../src/integrations/posten-signering/client';
import { loadPostenConfig } from '../../../src/modules/posten-signering/config';
import { fixturesDir } from '../../harness/worker';
import { signerWithPin, startTestbed, type Testbed } from './harness';

function startWorkerProcess(bed: Testbed): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(fixturesDir, 'posten-signering-worker.ts')], {
    env: { ...process.env, ...bed.workerEnv, FIXTURE_ADDRESS: bed.env.address },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('posten signering: crashes and restarts', () => {
  let bed: Testbed;
  let child: ChildProcess | undefined;
  before(async () => {
    bed = await startTestbed({ rules: { emptyQueuePollDelayMs: 3000 } });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) await kill(child);
    await bed.close();
  });

  it('worker killed between download and confirm: after the restart the change is confirmed, nothing downloaded twice', async () => {
    child = await startWorkerProcess(bed);
    const handle = await bed.startJob(await bed.job('kill-1', [signerWithPin(81), signerWithPin(82)]));
    const jobId = await bed.jobIdOf('kill-1');
    // The first confirmation is held at the server and then dropped unprocessed: the worker dies while it waits.
    bed.sim.faults.add({ route: 'confirm', kind: 'latency', latencyMs: 4000, times: 1 });
    bed.sim.faults.add({ route: 'confirm', kind: 'drop', times: 1 });
    bed.sim.model.sign(jobId, 1);
    await bed.waitFor('the confirmation is in flight', () => (bed.sim.model.stats.byRoute.confirm ?? 0) >= 1);
    assert.equal(bed.sim.model.stats.downloads, 1, 'the XAdES was downloaded before the confirmation');
    await kill(child);
    child = await startWorkerProcess(bed);
    await bed.waitFor(
      'the change is confirmed after the restart',
      () => bed.sim.model.unconfirmedDeliveries() === 0,
      90_000,
    );
    bed.sim.model.sign(jobId, 2);
    const result = (await handle.result()) as PostenSignatureJobResult;
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    const stats = bed.sim.model.stats;
    assert.equal(stats.downloads, 3, 'two XAdES and one PAdES, none twice');
    assert.equal(stats.duplicateConfirms, 0);
    assert.equal(stats.tooEarlyPolls, 0, 'the restarted poller never polled early');
  });

  it('a restart during the wait for the permitted poll time never polls early; a 429 is honoured, not hammered', async () => {
    if (child && child.exitCode === null && child.signalCode === null) await kill(child);
    await bed.startWorker();
    const polls = bed.sim.model.stats.pollTimes;
    await bed.waitFor('an empty poll', () => bed.sim.model.queueLength(bed.sender, '') === 0 && polls.length > 0);
    const last = polls[polls.length - 1];
    // Restart in the middle of the 3 s wait.
    await new Promise((r) => setTimeout(r, 500));
    await bed.stopWorker();
    await bed.startWorker();
    await bed.waitFor('the next poll', () => polls[polls.length - 1] > last, 15_000);
    const next = polls.find((t) => t > last)!;
    assert.ok(next - last >= 2990, `next poll ${next - last} ms after an empty queue (3000 ms permitted)`);
    assert.equal(bed.sim.model.stats.tooEarlyPolls, 0);

    // Another client polls the same queue and moves the permitted time: Ferje gets one 429 and waits for its header.
    const other = new PostenSignatureClient(loadPostenConfig(bed.workerEnv), bed.ctx.logger);
    const before429 = bed.sim.model.stats.tooEarlyPolls;
    await bed.waitFor('the poller polled again', () => polls[polls.length - 1] > next, 15_000);
    await new Promise((r) => setTimeout(r, 2800));
    await other.pollStatusChange(bed.sender).catch(() => undefined);
    await other.close();
    await new Promise((r) => setTimeout(r, 6000));
    assert.ok(bed.sim.model.stats.tooEarlyPolls - before429 <= 1, 'at most the one 429 the other client caused');
    assert.ok(polls[polls.length - 1] > next, 'and it kept polling');
  });
});
