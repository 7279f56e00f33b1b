import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ss12000RegistrationUpdate, ss12000SubscriptionFlow } from '../../../src/contract/ss12000';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { idleAfter, startFixture, type Ss12000Fixture } from './harness';

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => assert.fail('the workflow should have failed'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause;
}

describe('SS12000 registration: transient failures, AP refusals, starting again (real dev server)', () => {
  let f: Ss12000Fixture;
  before(async () => {
    f = await startFixture(await getTestEnv());
  });
  after(async () => f.stop());

  it('keeps registering through a run of 500s (REGISTRATION_RETRYING), then subscribes and syncs', async () => {
    // Before: three 500s within six seconds failed the subscription for good and burned the business key.
    const tenant = f.addHuvudman({ name: 'reg-transient', size: { persons: 20 } });
    tenant.faults = [{ path: '/subscriptions', kind: '500', times: 4, fired: 0 }];
    const workflowId = await f.start('reg-transient');
    const retrying = await f.waitFor('reg-transient', (s) => s.phase === 'REGISTRATION_RETRYING');
    assert.equal(retrying.registrationRetry?.rounds, 1);
    assert.ok(retrying.registrationRetry?.giveUpAt, 'the operator sees when it gives up');
    const described = await f.client.workflow.getHandle(workflowId).describe();
    assert.equal(described.typedSearchAttributes.get(searchAttributes.status), 'REGISTRATION_RETRYING');
    const outcome = await f.client.workflow.getHandle(workflowId).executeUpdate(ss12000RegistrationUpdate);
    assert.equal(outcome.status, 'SUBSCRIBED');
    const synced = await f.waitFor('reg-transient', idleAfter(1));
    assert.equal(synced.lastPass?.outcome, 'SUCCEEDED');
    assert.equal(synced.registrationRetry, undefined);
    const posts = tenant.requests.filter((r) => r.method === 'POST' && r.path === '/subscriptions');
    assert.deepEqual(
      posts.map((r) => r.status),
      [500, 500, 500, 500, 201],
    );
    await recordHistory(f.client, workflowId, 'ss12000-subscription-registration-retried');
    await f.client.workflow.getHandle(workflowId).cancel();
  });

  it('deletes the subscription again when AP answers the callback with 404, and can be started again', async () => {
    // Before: the workflow failed with the subscription left at the huvudman (orphaned), and the key was used.
    const tenant = f.addHuvudman({ name: 'reg-ap-404', size: { persons: 10 } });
    f.ap.status = 404;
    const input = { registrationCallbackUrl: `${f.ap.url}/reg-ap-404` };
    const workflowId = await f.start('reg-ap-404', input);
    const failure = await failureOf(f.client.workflow.getHandle(workflowId).result());
    assert.equal(failure.type, 'Ss12000RegistrationCallbackRefused');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /deleted at the huvudman/);
    assert.equal(tenant.subscriptions.size, 0, 'no orphaned subscription at the huvudman');
    assert.deepEqual(
      tenant.requests.filter((r) => r.path.startsWith('/subscriptions')).map((r) => `${r.method} ${r.status}`),
      ['POST 201', 'DELETE 204'],
    );
    await recordHistory(f.client, workflowId, 'ss12000-subscription-callback-refused-compensated');

    // The flow allows a failed run's key to be used again (ALLOW_DUPLICATE_FAILED_ONLY): AP fixed, start again.
    assert.equal(ss12000SubscriptionFlow.idReusePolicy, 'ALLOW_DUPLICATE_FAILED_ONLY');
    f.ap.status = 200;
    await f.start('reg-ap-404', input, { workflowIdReusePolicy: ss12000SubscriptionFlow.idReusePolicy });
    const again = await f.waitFor('reg-ap-404', idleAfter(1));
    assert.equal(again.registration.status, 'SUBSCRIBED');
    assert.equal(tenant.subscriptions.size, 1);
    await f.client.workflow.getHandle(workflowId).cancel();
  });
});
