import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { idleAfter, startFixture, type Ss12000Fixture } from './harness';

// The time-skipping server cannot register Ferje's search attributes, so this runs on the real dev server with a
// huvudman whose subscriptions live 12 seconds and a renewal margin of 7 seconds.
describe('SS12000 subscription renewal and recreation (real dev server, short-lived subscriptions)', () => {
  let f: Ss12000Fixture;
  before(async () => {
    f = await startFixture(await getTestEnv());
  });
  after(async () => f.stop());

  it('renews before expiry, and recreates a lost subscription with a catch-up pass', async () => {
    const tenant = f.addHuvudman({ name: 'renew-1', size: { persons: 30 }, subscriptionExpiryDays: 12 / 86_400 });
    const workflowId = await f.start('renew-1', {
      options: { safetyPassMinutes: 10_000_000, renewBeforeExpiryHours: 7 / 3600 },
    });
    const first = await f.waitFor('renew-1', idleAfter(1));
    const firstId = first.subscription!.id;
    const patchesBefore = tenant.requests.filter((r) => r.method === 'PATCH').length;

    const renewed = await f.waitFor('renew-1', (s) => s.renewals === 1);
    assert.equal(renewed.subscription?.id, firstId, 'same subscription, new expiry');
    assert.equal(tenant.requests.filter((r) => r.method === 'PATCH').length, patchesBefore + 1);
    assert.equal(tenant.subscriptions.get(firstId)?.expires, renewed.subscription?.expires);

    // The huvudman loses it (a restore from backup, an operator clean-up…): the next renewal gets 404.
    tenant.subscriptions.clear();
    const recreated = await f.waitFor('renew-1', (s) => s.recreations === 1 && idleAfter(2)(s));
    assert.notEqual(recreated.subscription?.id, firstId);
    assert.equal(tenant.subscriptions.size, 1);
    assert.equal(recreated.lastPass?.kind, 'catch-up');
    assert.ok(recreated.types.Deleted?.lastOutcome, 'the catch-up pass includes deletions');
    await recordHistory(f.client, workflowId, 'ss12000-subscription-renewal-recreation');
    await f.client.workflow.getHandle(workflowId).cancel();
  });
});
