import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import {
  webhookTokenAccesses,
  type TokenVariant,
  type WebhookTokenAccess,
} from '../../../src/simulators/ss12000/issuer';
import { idleAfter, startFixture, type Ss12000Fixture } from './harness';

describe('SS12000 webhooks (real dev server, ingress, ES256 JWTs)', () => {
  let f: Ss12000Fixture;
  before(async () => {
    f = await startFixture(await getTestEnv());
  });
  after(async () => f.stop());

  it('two webhooks in quick succession run in order, one pass at a time, with no overtaking', async () => {
    const tenant = f.addHuvudman({ name: 'wh-order', size: { persons: 300, groups: 30 } });
    const workflowId = await f.start('wh-order');
    await f.waitFor('wh-order', idleAfter(1));
    const mark = tenant.requests.length;
    tenant.modify('Person', 5);
    tenant.modify('Group', 3);
    const [first, second] = await Promise.all([
      f.sim.notify('wh-order', { modifiedTypes: ['Person', 'Group'], deleted: false }),
      new Promise((r) => setTimeout(r, 20)).then(() =>
        f.sim.notify('wh-order', { modifiedTypes: ['Group'], deleted: false }),
      ),
    ]);
    assert.deepEqual(first[0].attempts, [200]);
    assert.deepEqual(second[0].attempts, [200]);
    const status = await f.waitFor('wh-order', (s) => s.webhooksReceived === 2 && idleAfter(2)(s));
    // Passes never overlap: each child closed before the next one started.
    const passes = await Promise.all(
      Array.from({ length: status.passNumber }, (_, i) =>
        f.client.workflow.getHandle(`${workflowId}/pass-${i + 1}`).describe(),
      ),
    );
    for (let i = 1; i < passes.length; i++) {
      assert.ok(passes[i - 1].closeTime! <= passes[i].startTime, `pass ${i} closed before pass ${i + 1} started`);
    }
    // Within the webhook passes, no GROUP request ever comes before the PERSON pass that precedes it has ended.
    const gets = tenant.requests
      .slice(mark)
      .filter((r) => r.method === 'GET')
      .map((r) => r.path);
    const firstGroup = gets.indexOf('/groups');
    const lastPerson = gets.lastIndexOf('/persons');
    assert.ok(firstGroup > lastPerson, `order: ${gets.join(' ')}`);
    // Each type was asked only for changes since its watermark (with the overlap).
    const personQuery = tenant.requests.slice(mark).find((r) => r.path === '/persons')!.query;
    assert.ok(personQuery['meta.modified.after'], 'incremental GET');
    assert.equal(status.types.Person?.lastOutcome?.fetched, 5);
    await recordHistory(f.client, workflowId, 'ss12000-subscription-webhooks-in-order');
    await recordHistory(f.client, `${workflowId}/pass-2`, 'ss12000-sync-pass-webhook');
    await f.client.workflow.getHandle(workflowId).cancel();
  });

  it('coalesces a duplicate webhook into the pending pass at no cost', async () => {
    const tenant = f.addHuvudman({ name: 'wh-dup', size: { persons: 50 }, webhookSpelling: 'modifiedEntites' });
    const workflowId = await f.start('wh-dup', { options: { webhookQuietSeconds: 3 } });
    await f.waitFor('wh-dup', idleAfter(1));
    tenant.modify('Person', 2);
    await f.sim.notify('wh-dup', { modifiedTypes: ['Person'], deleted: false });
    await f.sim.notify('wh-dup', { modifiedTypes: ['Person'], deleted: false });
    const status = await f.waitFor('wh-dup', (s) => s.webhooksReceived === 2 && idleAfter(2)(s));
    await new Promise((r) => setTimeout(r, 1000));
    const after = await f.status('wh-dup');
    assert.equal(after.passNumber, 2, 'one pass for two identical webhooks');
    assert.equal(status.webhooksCoalesced, 1);
    assert.equal(status.types.Person?.lastOutcome?.fetched, 2);
    await recordHistory(f.client, workflowId, 'ss12000-subscription-duplicate-coalesced');
    await f.client.workflow.getHandle(workflowId).cancel();
  });

  it('applies deletions from /deletedEntities as soft deletes', async () => {
    const tenant = f.addHuvudman({ name: 'wh-del', size: { persons: 80 } });
    const workflowId = await f.start('wh-del');
    await f.waitFor('wh-del', idleAfter(1));
    const removed = tenant.remove('Person', 3);
    const deliveries = await f.sim.notify('wh-del', { modifiedTypes: [], deleted: true });
    assert.deepEqual(deliveries[0].attempts, [200]);
    const status = await f.waitFor('wh-del', idleAfter(2));
    assert.equal(status.types.Deleted?.lastOutcome?.deleted, 3);
    for (const id of removed) {
      const row = await f.store.get('wh-del', 'Person', id);
      assert.ok(row?.deletedAt, 'soft-deleted, kept for audit');
    }
    const summary = await f.store.summary('wh-del');
    assert.equal(summary.find((r) => r.step === 'Person')?.softDeleted, 3);
    assert.equal(summary.find((r) => r.step === 'Person')?.stored, 77);
    await recordHistory(f.client, workflowId, 'ss12000-subscription-deletions');
    await recordHistory(f.client, `${workflowId}/pass-2`, 'ss12000-sync-pass-deletions');
    await f.client.workflow.getHandle(workflowId).cancel();
  });

  it('takes the reference notifier’s tokens (no requested_access) unless strict; bad tokens are 401 in both modes', async () => {
    const tenant = f.addHuvudman({ name: 'wh-shape', size: { persons: 10 } });
    const workflowId = await f.start('wh-shape');
    await f.waitFor('wh-shape', idleAfter(1));
    const notice = { modifiedTypes: ['Person' as const], deleted: false };
    // Lenient (the default), through the simulator's notifier: every token shape is delivered at the first attempt.
    let accepted = 0;
    for (const access of webhookTokenAccesses) {
      tenant.options.webhookTokenAccess = access;
      const [delivery] = await f.sim.notify('wh-shape', notice);
      assert.deepEqual(delivery.attempts, [200], `lenient, ${access}`);
      accepted++;
      for (const variant of ['forged', 'expired', 'wrong-audience'] as const) {
        const [refused] = await f.sim.notify('wh-shape', notice, variant);
        assert.deepEqual(refused.attempts, [401], `lenient, ${access}, ${variant}`);
      }
    }
    // Strict: the same target on an ingress that requires the ss12000-client entry.
    const strict = await f.startIngress({ SS12000_WEBHOOK_REQUIRE_ACCESS: 'true' });
    const path = new URL([...tenant.subscriptions.values()][0].target).pathname;
    const post = async (variant: TokenVariant, access: WebhookTokenAccess): Promise<number> => {
      const token = f.sim.issuer.webhookToken(tenant.organisationId, f.sim.clientLocation, variant, access);
      const res = await fetch(`${strict.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ modifiedEntities: ['Person'] }),
      });
      await res.body?.cancel();
      return res.status;
    };
    const strictAnswers: Record<WebhookTokenAccess, number> = { omitted: 401, empty: 401, 'ss12000-client': 200 };
    for (const access of webhookTokenAccesses) {
      assert.equal(await post('valid', access), strictAnswers[access], `strict, ${access}`);
      if (strictAnswers[access] === 200) accepted++;
      for (const variant of ['forged', 'expired', 'wrong-audience', 'wrong-access'] as const) {
        assert.equal(await post(variant, access), 401, `strict, ${access}, ${variant}`);
      }
    }
    const status = await f.waitFor('wh-shape', (s) => s.webhooksReceived === accepted && idleAfter(2)(s));
    assert.equal(status.webhooksReceived, accepted, 'exactly the accepted notices became signals');
    await f.client.workflow.getHandle(workflowId).cancel();
  });

  it('rejects forged, expired, wrong-audience and wrong-organisation tokens with 401 and sends no signal', async () => {
    const tenant = f.addHuvudman({ name: 'wh-jwt', size: { persons: 10 } });
    const workflowId = await f.start('wh-jwt');
    await f.waitFor('wh-jwt', idleAfter(1));
    for (const variant of [
      'forged',
      'expired',
      'wrong-audience',
      'wrong-issuer',
      'wrong-organisation',
      'wrong-access',
    ] as const) {
      const [delivery] = await f.sim.notify('wh-jwt', { modifiedTypes: ['Person'], deleted: false }, variant);
      assert.deepEqual(delivery.attempts, [401], variant);
    }
    const target = [...tenant.subscriptions.values()][0].target;
    const noToken = await fetch(target, { method: 'POST', body: '{"modifiedEntities":["Person"]}' });
    assert.equal(noToken.status, 401);
    const wrongTarget = await fetch(target.replace('/wh-jwt/', '/wh-order/'), {
      method: 'POST',
      headers: { authorization: `Bearer ${f.sim.issuer.webhookToken(tenant.organisationId, f.sim.clientLocation)}` },
      body: '{"modifiedEntities":["Person"]}',
    });
    assert.equal(wrongTarget.status, 401, 'a target is bound to its huvudman and organisation');
    const status = await f.status('wh-jwt');
    assert.equal(status.webhooksReceived, 0, 'no signal reached the workflow');
    assert.equal(status.passNumber, 1);
    await f.client.workflow.getHandle(workflowId).cancel();
  });
});
