import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  ss12000RegistrationUpdate,
  ss12000StatusQuery,
  type SyncStep,
  type Ss12000SubscriptionStatus,
  type Ss12000WebhookSignal,
} from '../../../src/contract/ss12000';
import { recordHistory } from '../../harness/histories';
import { createLocalTestEnv } from '../../harness/temporal';
import { idleAfter, startFixture, type Ss12000Fixture } from './harness';

/** The runs of one workflow ID in order, from its first run along each ContinuedAsNew event. */
async function runChain(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory();
    const last = history.events?.[history.events.length - 1];
    const next = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

async function firstRunOf(client: Client, workflowId: string): Promise<string> {
  const described = await client.workflow.getHandle(workflowId).describe();
  return described.raw.workflowExecutionInfo?.firstRunId || described.runId;
}

/** What a run handed to the next one: a closed run still answers the query, from its replayed history. */
function stateAtEndOf(client: Client, workflowId: string, runId: string): Promise<Ss12000SubscriptionStatus> {
  return client.workflow.getHandle(workflowId, runId).query(ss12000StatusQuery);
}

const watermarks = (s: Ss12000SubscriptionStatus): Partial<Record<SyncStep, string | undefined>> =>
  Object.fromEntries(Object.entries(s.types).map(([step, t]) => [step, t?.watermark]));

/** The state a run carries, without what only describes the moment (phase, running pass). */
const carried = (s: Ss12000SubscriptionStatus): Partial<Ss12000SubscriptionStatus> => {
  const { phase: _phase, currentPass: _currentPass, ...rest } = s;
  return rest;
};

// A dev server of this file's own that suggests continue-as-new after 40 history events, so a sync pass rolls over
// every few pages and the subscription every couple of passes.
describe('SS12000 continue-as-new (own dev server, suggested after 40 events)', () => {
  let env: TestWorkflowEnvironment;
  let f: Ss12000Fixture;
  before(async () => {
    env = await createLocalTestEnv(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40']);
    f = await startFixture(env);
  });
  after(async () => {
    await f?.stop();
    await env?.teardown();
  });

  const notify = async (huvudman: string, notice: Omit<Ss12000WebhookSignal, 'receivedAt'>): Promise<void> => {
    const deliveries = await f.sim.notify(huvudman, notice);
    assert.deepEqual(
      deliveries.map((d) => d.attempts),
      [[200]],
    );
  };

  it('a long sync pass continues as new between pages and resumes at the next page with its counts', async () => {
    const tenant = f.addHuvudman({ name: 'cas-pass', size: { persons: 1500 } });
    const workflowId = await f.start('cas-pass', { options: { safetyPassMinutes: 10_000_000 } });
    const status = await f.waitFor('cas-pass', idleAfter(1), 180_000);
    const passId = `${workflowId}/pass-1`;
    const runs = await runChain(f.client, passId, await firstRunOf(f.client, passId));
    assert.ok(runs.length > 1, `the pass crossed a run boundary (${runs.length} runs)`);
    assert.equal((await f.client.workflow.getHandle(passId).describe()).runId, runs[runs.length - 1]);

    // The outcomes travel with the pass: the counts add up over every run, not just the last one's pages.
    assert.equal(status.lastPass?.outcome, 'SUCCEEDED');
    const person = status.types.Person?.lastOutcome;
    assert.equal(person?.fetched, 1500);
    assert.equal(person?.stored, 1500);
    // 15 full pages and the empty last page.
    assert.equal(person?.pages, 16);
    assert.equal(status.types.Organisation?.lastOutcome?.fetched, tenant.count('Organisation'));
    // The page token travels too: every page was fetched exactly once, none again after a boundary.
    const personPages = tenant.requests.filter((r) => r.method === 'GET' && r.path === '/persons');
    assert.deepEqual(
      personPages.map((r) => [r.page, r.status]),
      Array.from({ length: 16 }, (_, i) => [i + 1, 200]),
    );
    // The Person watermark is the time its first page was asked for, in the first run, not a later run's start.
    const firstRun = await f.client.workflow.getHandle(passId, runs[0]).describe();
    assert.equal(firstRun.status.name, 'CONTINUED_AS_NEW');
    assert.ok(Date.parse(status.types.Person!.watermark!) < firstRun.closeTime!.getTime());
    const summary = await f.store.summary('cas-pass');
    assert.equal(summary.find((r) => r.step === 'Person')?.stored, 1500);
    assert.equal(summary.find((r) => r.step === 'Person')?.watermark, status.types.Person?.watermark);

    await recordHistory(f.client, passId, 'ss12000-sync-pass-continue-as-new-first-run', { runId: runs[0] });
    await recordHistory(f.client, passId, 'ss12000-sync-pass-continue-as-new-last-run', {
      runId: runs[runs.length - 1],
    });
    await f.client.workflow.getHandle(workflowId).cancel();
  });

  it('the subscription continues as new and keeps its subscription, watermarks, retry state and queued webhooks', async () => {
    const tenant = f.addHuvudman({ name: 'cas-sub', size: { persons: 60, groups: 10, duties: 10, activities: 10 } });
    const workflowId = await f.start('cas-sub', {
      options: { retryFailedPassMinutes: 0.2, safetyPassMinutes: 10_000_000 },
    });
    const handle = f.client.workflow.getHandle(workflowId);
    const firstRunId = await firstRunOf(f.client, workflowId);
    const synced = await f.waitFor('cas-sub', idleAfter(1));
    const subscriptionId = synced.subscription!.id;
    const fullSync = watermarks(synced);
    assert.deepEqual(Object.keys(fullSync).sort(), ['Activity', 'Deleted', 'Duty', 'Group', 'Organisation', 'Person']);

    // Pass 2: the Person changes come in, Group fails all three attempts and waits 12 s for a retry.
    tenant.faults = [{ path: '/groups', kind: '503', fired: 0 }];
    tenant.modify('Person', 3);
    const groups = tenant.modify('Group', 2);
    await notify('cas-sub', { modifiedTypes: ['Person', 'Group'], deleted: false });
    const failed = await f.waitFor(
      'cas-sub',
      (s) => s.passNumber === 2 && s.currentPass === undefined && s.phase === 'RETRY_WAIT',
    );
    assert.equal(failed.consecutiveFailures, 1);
    assert.deepEqual(failed.pending, { steps: ['Group'], kind: 'retry', firstAt: failed.lastPass!.finishedAt });
    assert.equal(Date.parse(failed.retryAt!) - Date.parse(failed.lastPass!.finishedAt), 12_000);
    assert.notEqual(failed.types.Person?.watermark, fullSync.Person);
    assert.equal(failed.types.Group?.watermark, fullSync.Group);

    // AP asking for the registration outcome again adds history without waking the loop, so the run is past the
    // threshold when the retry timer fires: it continues as new right there, in the middle of the retry wait.
    for (let i = 0; i < 10; i++) {
      assert.equal((await handle.executeUpdate(ss12000RegistrationUpdate)).subscriptionId, subscriptionId);
    }
    const failedAgain = await f.waitFor(
      'cas-sub',
      (s) => s.passNumber === 3 && s.currentPass === undefined && s.phase === 'RETRY_WAIT',
    );
    const retryRuns = await runChain(f.client, workflowId, firstRunId);
    const beforeRetry = await stateAtEndOf(f.client, workflowId, retryRuns[retryRuns.length - 2]);
    assert.deepEqual(carried(beforeRetry), carried(failed), 'the run that ended in the retry wait carried it all');
    assert.equal(failedAgain.lastPass?.kind, 'retry');
    assert.equal(failedAgain.consecutiveFailures, 2, 'the failure count survived the boundary');
    assert.equal(Date.parse(failedAgain.retryAt!) - Date.parse(failedAgain.lastPass.finishedAt), 24_000);
    // The retry asked only for Group changes since the full sync's watermark, carried through the boundary.
    const groupSince = new Date(Date.parse(fullSync.Group!) - 300_000).toISOString();
    const retryGets = tenant.requests.filter((r) => r.method === 'GET' && r.path === '/groups').slice(-3);
    assert.deepEqual(
      retryGets.map((r) => [r.status, r.query['meta.modified.after']]),
      [
        [503, groupSince],
        [503, groupSince],
        [503, groupSince],
      ],
    );

    // The worker goes away; webhooks keep coming (the ingress needs only Temporal) and queue up as signals, 28 of
    // them duplicates. The worker's return handles them all at once, past the threshold: the run continues as new
    // with the webhooks' work pending, and the next run does it in one pass.
    await f.stopWorker();
    tenant.faults = [];
    const duties = tenant.modify('Duty', 2);
    const [removedActivity] = tenant.remove('Activity', 1);
    await notify('cas-sub', { modifiedTypes: ['Duty'], deleted: false });
    await notify('cas-sub', { modifiedTypes: [], deleted: true });
    for (let i = 0; i < 28; i++) await notify('cas-sub', { modifiedTypes: ['Duty'], deleted: false });
    await f.startWorker();
    const done = await f.waitFor('cas-sub', (s) => s.lastPass?.outcome === 'SUCCEEDED' && idleAfter(4)(s));

    const runs = await runChain(f.client, workflowId, firstRunId);
    assert.ok(runs.length >= retryRuns.length + 1, `continued as new again (${runs.length} runs)`);
    assert.equal((await handle.describe()).runId, runs[runs.length - 1]);
    const beforeWebhooks = await stateAtEndOf(f.client, workflowId, runs[runs.length - 2]);
    assert.equal(beforeWebhooks.passNumber, 3);
    assert.deepEqual(beforeWebhooks.pending.steps, ['Group', 'Duty', 'Deleted'], 'queued webhooks were carried');
    assert.equal(beforeWebhooks.pending.kind, 'retry');
    assert.equal(beforeWebhooks.webhooksReceived, 31);
    assert.equal(beforeWebhooks.webhooksCoalesced, 28);
    assert.equal(beforeWebhooks.consecutiveFailures, 2);
    assert.equal(beforeWebhooks.retryAt, undefined, 'a webhook ends the retry wait');

    // One pass did everything that was pending; nothing else was fetched again.
    assert.equal(done.passNumber, 4);
    assert.equal(done.lastPass?.kind, 'retry');
    assert.deepEqual(
      done.types.Group?.lastOutcome && [done.types.Group.lastOutcome.status, done.types.Group.lastOutcome.fetched],
      ['SUCCEEDED', 2],
    );
    assert.equal(done.types.Duty?.lastOutcome?.fetched, 2);
    assert.equal(done.types.Deleted?.lastOutcome?.deleted, 1);
    assert.equal(done.types.Group?.lastPassNumber, 4);
    assert.equal(done.types.Person?.lastPassNumber, 2);
    assert.equal(done.types.Organisation?.lastPassNumber, 1);
    assert.equal(done.webhooksReceived, 31);
    assert.equal(done.webhooksCoalesced, 28);
    assert.equal(done.consecutiveFailures, 0);
    assert.equal(done.retryAt, undefined);
    // Watermarks: types not fetched since keep theirs exactly, through every boundary.
    assert.equal(done.types.Organisation?.watermark, fullSync.Organisation);
    assert.equal(done.types.Activity?.watermark, fullSync.Activity);
    assert.equal(done.types.Person?.watermark, failed.types.Person?.watermark);
    for (const step of ['Group', 'Duty', 'Deleted'] as const) {
      assert.ok(Date.parse(done.types[step]!.watermark!) > Date.parse(fullSync[step]!), `${step} advanced`);
    }
    // Still the one subscription: no run subscribed again or told AP again.
    assert.equal(done.subscription?.id, subscriptionId);
    assert.equal(done.registration.subscriptionId, subscriptionId);
    assert.deepEqual([...tenant.subscriptions.keys()], [subscriptionId]);
    assert.equal(tenant.requests.filter((r) => r.method === 'POST' && r.path === '/subscriptions').length, 1);
    // Pass numbers continue across runs: pass-1 … pass-4, each its own child.
    for (let n = 1; n <= 4; n++) {
      const pass = await f.client.workflow.getHandle(`${workflowId}/pass-${n}`).describe();
      assert.equal(pass.status.name, n === 2 || n === 3 ? 'FAILED' : 'COMPLETED');
    }

    // The store agrees with the workflow and holds every change the webhooks announced.
    const summary = await f.store.summary('cas-sub');
    for (const [step, watermark] of Object.entries(watermarks(done))) {
      assert.equal(summary.find((r) => r.step === step)?.watermark, watermark, `${step} watermark in the store`);
    }
    for (const id of groups) {
      const row = await f.store.get('cas-sub', 'Group', id);
      assert.equal((row?.body as { displayName?: string }).displayName, tenant.entity('Group', id)?.displayName);
    }
    for (const id of duties) {
      const row = await f.store.get('cas-sub', 'Duty', id);
      assert.equal((row?.body as { dutyRole?: string }).dutyRole, tenant.entity('Duty', id)?.dutyRole);
    }
    assert.ok((await f.store.get('cas-sub', 'Activity', removedActivity))?.deletedAt, 'soft-deleted');

    await recordHistory(f.client, workflowId, 'ss12000-subscription-continue-as-new-retry-wait', {
      runId: retryRuns[retryRuns.length - 2],
    });
    await recordHistory(f.client, workflowId, 'ss12000-subscription-continue-as-new-queued-webhooks', {
      runId: runs[runs.length - 2],
    });
    // The last run unsubscribes with the subscription id it was handed.
    await handle.cancel();
    assert.deepEqual(await handle.result(), { huvudman: 'cas-sub', status: 'UNSUBSCRIBED', passes: 4 });
    assert.equal(tenant.subscriptions.size, 0);
    await recordHistory(f.client, workflowId, 'ss12000-subscription-continue-as-new-carried-then-unsubscribed', {
      runId: runs[runs.length - 1],
    });
  });

  it('a failed renewal keeps its hourly back-off across continue-as-new instead of retrying at once', async () => {
    // Subscriptions live 300 s and are renewed 280 s before they expire: 20 s after subscribing.
    const tenant = f.addHuvudman({ name: 'cas-renew', size: { persons: 30 }, subscriptionExpiryDays: 300 / 86_400 });
    const workflowId = await f.start('cas-renew', {
      options: { safetyPassMinutes: 10_000_000, renewBeforeExpiryHours: 280 / 3600 },
    });
    const handle = f.client.workflow.getHandle(workflowId);
    const firstRunId = await firstRunOf(f.client, workflowId);
    const synced = await f.waitFor('cas-renew', idleAfter(1));
    assert.equal(synced.renewals, 0, 'the renewal is still ahead');
    // The huvudman API answers 503 to the renewal: three attempts, then Ferje tries again in an hour.
    tenant.faults = [{ path: `/subscriptions/${synced.subscription!.id}`, kind: '503', fired: 0 }];
    const patches = (): number[] => tenant.requests.filter((r) => r.method === 'PATCH').map((r) => r.status);
    const deferred = await f.waitFor('cas-renew', (s) => s.renewRetryAt !== undefined, 60_000);
    assert.deepEqual(patches(), [503, 503, 503]);
    const runBefore = (await handle.describe()).runId;

    // A burst of webhooks while the worker is away takes the run past the threshold: it continues as new.
    await f.stopWorker();
    tenant.modify('Person', 2);
    for (let i = 0; i < 40; i++) await notify('cas-renew', { modifiedTypes: ['Person'], deleted: false });
    await f.startWorker();
    const done = await f.waitFor('cas-renew', idleAfter(2));
    const runs = await runChain(f.client, workflowId, firstRunId);
    assert.notEqual(runs[runs.length - 1], runBefore, 'continued as new');
    assert.equal((await handle.describe()).runId, runs[runs.length - 1]);
    const handedOver = await stateAtEndOf(f.client, workflowId, runs[runs.length - 2]);
    assert.equal(handedOver.renewRetryAt, deferred.renewRetryAt, 'the back-off was carried');
    assert.deepEqual(handedOver.pending.steps, ['Person']);
    assert.equal(done.types.Person?.lastOutcome?.fetched, 2);
    assert.equal(done.webhooksReceived, 40);
    assert.equal(done.webhooksCoalesced, 39);
    assert.deepEqual(patches(), [503, 503, 503], 'no renewal attempt before the hour is up');
    assert.equal(done.renewRetryAt, deferred.renewRetryAt);
    assert.equal(done.renewals, 0);
    assert.equal(done.subscription?.id, synced.subscription?.id);
    await recordHistory(f.client, workflowId, 'ss12000-subscription-continue-as-new-renewal-back-off', {
      runId: runs[runs.length - 2],
    });
    await handle.cancel();
  });
});
