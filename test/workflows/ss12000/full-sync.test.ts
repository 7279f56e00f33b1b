import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ss12000RegistrationUpdate, resourceTypes } from '../../../src/contract/ss12000';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { idleAfter, startFixture, type Ss12000Fixture } from './harness';

const listPaths = ['/organisations', '/persons', '/groups', '/duties', '/activities'];

describe('SS12000 full sync (real dev server, simulator over HTTP)', () => {
  let f: Ss12000Fixture;
  before(async () => {
    f = await startFixture(await getTestEnv());
  });
  after(async () => f.stop());

  it('subscribes, syncs a few thousand entities in order, logs invalid ones and stores only valid ones', async () => {
    const tenant = f.addHuvudman({
      name: 'full-1',
      size: { organisations: 20, persons: 2500, groups: 150, duties: 300, activities: 150 },
      invalidShare: 0.02,
      lastPageToken: 'null',
    });
    const workflowId = await f.start('full-1');
    const registration = await f.client.workflow.getHandle(workflowId).executeUpdate(ss12000RegistrationUpdate);
    assert.equal(registration.status, 'SUBSCRIBED');
    assert.equal(tenant.subscriptions.size, 1);
    const target = [...tenant.subscriptions.values()][0].target;
    assert.ok(target.startsWith(`${f.ingress.url}/webhooks/ss12000/full-1/`), 'target unique to this huvudman');

    const status = await f.waitFor('full-1', idleAfter(1), 120_000);
    assert.equal(status.lastPass?.outcome, 'SUCCEEDED');
    assert.equal(status.lastPass?.kind, 'full');

    // Strict order: every GET of a type comes after every GET of the types before it.
    const gets = tenant.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    const order = gets.map((p) => listPaths.indexOf(p));
    assert.ok(
      order.every((v, i) => i === 0 || v >= order[i - 1]),
      `in order: ${[...new Set(gets)].join(' ')}`,
    );
    assert.ok(!gets.includes('/deletedEntities'), 'the initial sync has no deletion pass');

    const summary = await f.store.summary('full-1');
    let invalidTotal = 0;
    for (const type of resourceTypes) {
      const outcome = status.types[type]?.lastOutcome;
      assert.ok(outcome, `${type} outcome`);
      assert.equal(outcome.fetched, tenant.count(type), `${type} fetched all`);
      assert.equal(outcome.stored + outcome.invalid, outcome.fetched);
      assert.equal(summary.find((r) => r.step === type)?.stored, outcome.stored, `${type} stored`);
      assert.ok(status.types[type]?.watermark, `${type} watermark set`);
      invalidTotal += outcome.invalid;
    }
    assert.ok(invalidTotal > 0, 'the generated data had invalid entities');
    // Every invalid entity was reported with its problem, and none of them is in the store.
    assert.equal(tenant.logs.length, invalidTotal);
    // A randomly generated resourceId per entry (the API's `format: uuid`), as Skolverket's client document says.
    assert.equal(new Set(tenant.logs.map((l) => l.resourceId)).size, tenant.logs.length);
    for (const log of tenant.logs) {
      assert.match(String(log.resourceId), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(String(log.message), /failed validation/);
      const stored = await f.store.get('full-1', String(log.resourceType), String(log.resourceId));
      assert.equal(stored, undefined);
    }
    // One statistics entry per page, everything counted as updated.
    const pages = resourceTypes.reduce((n, t) => n + (status.types[t]?.lastOutcome?.pages ?? 0), 0);
    assert.equal(tenant.statistics.length, pages);
    assert.ok(tenant.statistics.every((s) => s.newCount === 0 && s.deletedCount === 0));
    // The page data never travelled through Temporal: the pass history stays small.
    const passHistory = await f.client.workflow.getHandle(`${workflowId}/pass-1`).fetchHistory();
    const size = JSON.stringify(passHistory).length;
    assert.ok(size < 200_000, `pass history ${size} bytes`);

    await recordHistory(f.client, `${workflowId}/pass-1`, 'ss12000-sync-pass-full');
    await f.client.workflow.getHandle(workflowId).cancel();
    const result = (await f.client.workflow.getHandle(workflowId).result()) as { status: string };
    assert.equal(result.status, 'UNSUBSCRIBED');
    assert.equal(tenant.subscriptions.size, 0, 'cancelling deletes the subscription');
    await recordHistory(f.client, workflowId, 'ss12000-subscription-full-sync-unsubscribe');
  });

  it('fails registration typed (and tells AP) once the huvudman API stayed unavailable for the retry budget', async () => {
    f.addHuvudman({ name: 'full-refused' }).faults = [{ path: '/subscriptions', kind: '500', fired: 0 }];
    const workflowId = await f.start('full-refused', {
      registrationCallbackUrl: `${f.ap.url}/full-refused`,
      options: { registrationRetryMinutes: 1 },
    });
    const handle = f.client.workflow.getHandle(workflowId);
    // Meanwhile the operator sees why it is not subscribed yet, not a failure.
    const retrying = await f.waitFor('full-refused', (s) => s.phase === 'REGISTRATION_RETRYING');
    assert.match(retrying.registrationRetry?.lastError ?? '', /Ss12000ApiUnavailable/);
    assert.equal(retrying.registration.status, 'PENDING');
    const outcome = await handle.executeUpdate(ss12000RegistrationUpdate);
    assert.equal(outcome.status, 'FAILED');
    await assert.rejects(handle.result(), (err: Error) => {
      const cause = (err as { cause?: { type?: string; nonRetryable?: boolean } }).cause;
      assert.equal(cause?.type, 'Ss12000SubscriptionFailed');
      assert.equal(cause?.nonRetryable, true);
      return true;
    });
    const posts = f.sim
      .tenant('full-refused')
      .requests.filter((r) => r.method === 'POST' && r.path === '/subscriptions');
    assert.ok(posts.length >= 6, `more than one round of three attempts (${posts.length})`);
    assert.deepEqual(
      f.ap.received.filter((r) => r.path === '/ap/full-refused').map((r) => (r.body as { status: string }).status),
      ['FAILED'],
    );
    await recordHistory(f.client, workflowId, 'ss12000-subscription-registration-retried-then-failed');
  });

  it('refuses invalid input before any call to the huvudman', async () => {
    f.addHuvudman({ name: 'full-bad-input' });
    const workflowId = await f.start('full-bad-input', { apiBaseUrl: 'ftp://nope' });
    await assert.rejects(f.client.workflow.getHandle(workflowId).result(), (err: Error) => {
      assert.equal((err as { cause?: { type?: string } }).cause?.type, 'FerjeInvalidInput');
      return true;
    });
    assert.equal(f.sim.tenant('full-bad-input').requests.length, 0);
  });
});
