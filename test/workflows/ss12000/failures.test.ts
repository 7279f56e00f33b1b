import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { idleAfter, startFixture, type Ss12000Fixture } from './harness';

describe('SS12000 page failures (real dev server, simulator fault injection)', () => {
  let f: Ss12000Fixture;
  before(async () => {
    f = await startFixture(await getTestEnv());
  });
  after(async () => f.stop());

  it('a page that fails twice then succeeds costs no job failure and nothing is lost', async () => {
    const tenant = f.addHuvudman({ name: 'fail-twice', size: { persons: 450 } });
    tenant.faults = [{ path: '/persons', page: 3, kind: '503', times: 2, fired: 0 }];
    const workflowId = await f.start('fail-twice');
    const status = await f.waitFor('fail-twice', idleAfter(1));
    assert.equal(status.lastPass?.outcome, 'SUCCEEDED');
    assert.equal(status.types.Person?.lastOutcome?.stored, 450);
    const page3 = tenant.requests.filter((r) => r.path === '/persons' && r.page === 3).map((r) => r.status);
    assert.deepEqual(page3, [503, 503, 200], 'three attempts of the same page');
    assert.equal(tenant.logs.filter((l) => l.messageType === 'SyncFailed').length, 0);
    await recordHistory(f.client, `${workflowId}/pass-1`, 'ss12000-sync-pass-page-retried');
    await f.client.workflow.getHandle(workflowId).cancel();
  });

  it('a page that fails three times fails the pass, logs every failed type, keeps watermarks and retries later', async () => {
    const tenant = f.addHuvudman({ name: 'fail-always', size: { persons: 250 } });
    tenant.faults = [{ path: '/groups', page: 1, kind: 'malformed', fired: 0 }];
    const workflowId = await f.start('fail-always', { options: { retryFailedPassMinutes: 60 } });
    const status = await f.waitFor(
      'fail-always',
      // The phase changes in the workflow task after the pass settles; wait for the settled state, not the moment.
      (s) => s.lastPass?.outcome === 'FAILED' && s.currentPass === undefined && s.phase === 'RETRY_WAIT',
    );
    const groupGets = tenant.requests.filter((r) => r.path === '/groups');
    assert.equal(groupGets.length, 3, 'maximumAttempts 3 on the GET');
    assert.equal(status.types.Organisation?.lastOutcome?.status, 'SUCCEEDED');
    assert.equal(status.types.Person?.lastOutcome?.status, 'SUCCEEDED');
    assert.equal(status.types.Group?.lastOutcome?.status, 'FAILED');
    assert.equal(status.types.Group?.lastOutcome?.error?.type, 'FerjeMalformedResponse');
    assert.equal(status.types.Duty?.lastOutcome?.status, 'SKIPPED');
    assert.equal(status.types.Activity?.lastOutcome?.status, 'SKIPPED');
    assert.ok(status.types.Person?.watermark, 'succeeded types advance');
    assert.equal(status.types.Group?.watermark, undefined, 'failed types do not');
    // One log entry per failed resource type: the one that failed and the two it stopped.
    const failureLogs = tenant.logs.filter((l) => l.messageType === 'SyncFailed');
    assert.deepEqual(failureLogs.map((l) => l.resourceType).sort(), ['Activity', 'Duty', 'Group']);
    assert.ok(failureLogs.every((l) => l.severityLevel === 'Error'));
    // The failed types wait for a retry; nothing already stored is fetched again.
    assert.deepEqual(status.pending.steps, ['Group', 'Duty', 'Activity']);
    assert.ok(status.retryAt);
    assert.equal(status.phase, 'RETRY_WAIT');
    const failedPass = f.client.workflow.getHandle(`${workflowId}/pass-1`);
    assert.equal((await failedPass.describe()).status.name, 'FAILED');
    const summary = await f.store.summary('fail-always');
    assert.equal(summary.find((r) => r.step === 'Group')?.lastStatus, 'FAILED');
    assert.equal(summary.find((r) => r.step === 'Person')?.lastStatus, 'SUCCEEDED');
    await recordHistory(f.client, `${workflowId}/pass-1`, 'ss12000-sync-pass-failed');

    // Once the huvudman answers again, a webhook ends the retry wait and the missing types come in.
    tenant.faults = [];
    await f.sim.notify('fail-always', { modifiedTypes: ['Group'], deleted: false });
    const healed = await f.waitFor('fail-always', (s) => s.lastPass?.outcome === 'SUCCEEDED' && idleAfter(2)(s));
    assert.equal(healed.types.Group?.lastOutcome?.fetched, tenant.count('Group'));
    assert.ok(healed.types.Activity?.watermark);
    await recordHistory(f.client, workflowId, 'ss12000-subscription-failed-pass-then-recovered');
    await f.client.workflow.getHandle(workflowId).cancel();
  });
});
