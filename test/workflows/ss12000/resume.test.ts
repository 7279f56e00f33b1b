import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { taskQueues } from '../../../src/contract/task-queues';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import type { ChildHandle } from '../../harness/processes';
import { idleAfter, killHard, spawnSs12000Worker, startFixture, type Ss12000Fixture } from './harness';

describe('SS12000 crash resume (real dev server, production worker process killed mid-pass)', () => {
  let f: Ss12000Fixture;
  const workers: ChildHandle[] = [];
  before(async () => {
    f = await startFixture(await getTestEnv(), { worker: false });
  });
  after(async () => {
    for (const w of workers) await killHard(w);
    await f.stop();
  });

  it('resumes at the checkpointed page after the worker is killed', async () => {
    const tenant = f.addHuvudman({ name: 'resume-1', size: { persons: 3000 }, latencyMs: 60 });
    const workerEnv = { ...f.ferjeEnv, TEMPORAL_ADDRESS: f.env.address, TEMPORAL_NAMESPACE: 'default' };
    workers.push(await spawnSs12000Worker(workerEnv));
    await f.client.workflow.start('ss12000SubscriptionWorkflow', {
      workflowId: 'ss12000-subscription/resume-1',
      taskQueue: taskQueues.ss12000,
      args: [
        {
          huvudman: 'resume-1',
          organisationId: tenant.organisationId,
          apiBaseUrl: f.sim.baseUrl('resume-1'),
          options: { pageLimit: 100, webhookQuietSeconds: 0 },
        },
      ],
    });
    const personPage = (): number =>
      Math.max(0, ...tenant.requests.filter((r) => r.path === '/persons').map((r) => r.page ?? 0));
    const until = Date.now() + 60_000;
    while (personPage() < 8 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.ok(personPage() >= 8, 'the pass reached the middle of PERSON');
    await killHard(workers[0]);
    const stoppedAt = personPage();
    const requestsBeforeRestart = tenant.requests.length;

    workers.push(await spawnSs12000Worker(workerEnv));
    const status = await f.waitFor('resume-1', idleAfter(1), 120_000);
    assert.equal(status.lastPass?.outcome, 'SUCCEEDED');
    assert.equal(status.types.Person?.lastOutcome?.fetched, 3000);
    // 30 full pages and the empty last page the reference answers when the data ends exactly on a page.
    assert.equal(status.types.Person?.lastOutcome?.pages, 31);

    const resumed = tenant.requests.slice(requestsBeforeRestart).filter((r) => r.path === '/persons');
    assert.ok(resumed.length > 0);
    assert.ok(resumed[0].page! >= stoppedAt - 1, `resumed at page ${resumed[0].page}, stopped at ${stoppedAt}`);
    const perPage = new Map<number, number>();
    for (const r of tenant.requests.filter((x) => x.path === '/persons'))
      perPage.set(r.page!, (perPage.get(r.page!) ?? 0) + 1);
    assert.equal(perPage.get(1), 1, 'the first page was never fetched again');
    assert.ok(
      [...perPage.values()].every((n) => n <= 2),
      'at most the in-flight page and the one read ahead for it were fetched twice',
    );
    const summary = await f.store.summary('resume-1');
    assert.equal(summary.find((r) => r.step === 'Person')?.stored, status.types.Person?.lastOutcome?.stored);
    await recordHistory(f.client, 'ss12000-subscription/resume-1/pass-1', 'ss12000-sync-pass-worker-killed');
    await f.client.workflow.getHandle('ss12000-subscription/resume-1').cancel();
    await f.client.workflow.getHandle('ss12000-subscription/resume-1').result();
  });
});
