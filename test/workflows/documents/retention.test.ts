import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { createDocumentsActivities } from '../../../activities/documents';
import {
  documentsWorkflowTypes,
  type DocumentsRetentionInput,
  type DocumentsRetentionResult,
} from '../../../src/contract/documents/retention';
import { ensureRetentionSchedule, pauseRetentionSchedule } from '../../../src/documents/retention-schedule';
import { openDocumentStores, type DocumentStores } from '../../../src/documents/stores';
import { createLogger } from '../../../src/logging/logger';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { createTestWorker, uniqueTaskQueue } from '../../harness/worker';

/**
 * Retention on a short clock, against a real Temporal server: real flows (open, and closed by termination) hold
 * real documents in a real store; the retention workflow runs on a worker configured like production.
 */
describe('documents retention', () => {
  let stores: DocumentStores;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('documents');

  before(async () => {
    const env = await getTestEnv();
    stores = openDocumentStores({ blobDir: mkdtempSync(path.join(tmpdir(), 'ferje-retention-')) });
    worker = await createTestWorker({
      env,
      taskQueue,
      activities: createDocumentsActivities({ stores, client: env.client, logger: createLogger('test', 'ERROR') }),
    });
    running = worker.run();
  });
  after(async () => {
    worker.shutdown();
    await running;
  });

  const flow = async (): Promise<string> => {
    const env = await getTestEnv();
    const workflowId = `documents-retention-test/${randomUUID()}`;
    // A flow no worker runs: enough to be open, or closed once terminated.
    await env.client.workflow.start('someCallerFlow', { workflowId, taskQueue: uniqueTaskQueue('idle') });
    return workflowId;
  };
  const heldBy = async (workflowId: string): Promise<string> => {
    const ref = await stores.blobs.put(randomBytes(64));
    await stores.ledger.record(ref.sha256, { holder: { kind: 'workflow', workflowId }, recordedAtMs: Date.now() });
    return ref.sha256;
  };
  const retention = async (input: DocumentsRetentionInput, record?: string): Promise<DocumentsRetentionResult> => {
    const env = await getTestEnv();
    const workflowId = `documents-retention/test-${randomUUID()}`;
    try {
      return (await env.client.workflow.execute(documentsWorkflowTypes.retention, {
        workflowId,
        taskQueue,
        args: [input],
      })) as DocumentsRetentionResult;
    } finally {
      if (record) await recordHistory(env.client, workflowId, record);
    }
  };

  it('deletes what only closed flows reference, after the configured time, and keeps what an open flow uses', async () => {
    const env = await getTestEnv();
    const closed = await flow();
    const open = await flow();
    const ofClosed = await heldBy(closed);
    const ofOpen = await heldBy(open);
    const shared = await heldBy(closed);
    await stores.ledger.record(shared, { holder: { kind: 'workflow', workflowId: open }, recordedAtMs: Date.now() });
    const freshUpload = (await stores.blobs.put(randomBytes(64))).sha256;
    await stores.ledger.record(freshUpload, {
      holder: { kind: 'caller', callerId: 'archive' },
      recordedAtMs: Date.now(),
    });
    const oldUpload = await stores.blobs.put(randomBytes(64));
    const longAgo = Date.now() - 3 * 3600_000;
    await stores.ledger.record(oldUpload.sha256, {
      holder: { kind: 'caller', callerId: 'archive' },
      recordedAtMs: longAgo,
    });
    const oldPath = stores.blobs.localPath!(oldUpload);
    await utimes(oldPath, longAgo / 1000, longAgo / 1000);
    await env.client.workflow.getHandle(closed).terminate('the flow is done');

    // Just closed, retention time not reached: everything but the stale upload stays.
    const early = await retention({ retainAfterClose: '1 hour', unusedUploadGrace: '1 hour' });
    assert.deepEqual(early.deleted.sha256s, [oldUpload.sha256]);
    assert.equal(early.deleted.unusedUploads, 1);
    assert.equal(early.kept.recentlyClosed, 1);
    assert.equal(early.kept.openFlow, 2);
    assert.equal(early.kept.recentUpload, 1);
    assert.equal(await stores.blobs.has(oldUpload), false);
    assert.deepEqual(await stores.ledger.holders(oldUpload.sha256), []);

    await sleep(2500);
    const late = await retention({ retainAfterClose: '2 seconds', unusedUploadGrace: '1 hour' }, 'documents-retention');
    assert.deepEqual(late.deleted.sha256s, [ofClosed]);
    assert.equal(late.deleted.closedFlows, 1);
    assert.equal(late.deleted.bytes, 64);
    assert.equal(late.kept.openFlow, 2, 'the open flow’s document and the one both flows use stay');
    assert.equal(await stores.blobs.has({ sha256: ofClosed }), false);
    assert.equal(await stores.blobs.has({ sha256: ofOpen }), true);
    assert.equal(await stores.blobs.has({ sha256: shared }), true);
    assert.equal(await stores.blobs.has({ sha256: freshUpload }), true);

    await env.client.workflow.getHandle(open).terminate('test done');
  });

  it('reports without deleting on a dry run', async () => {
    const closed = await flow();
    const sha = await heldBy(closed);
    await (await getTestEnv()).client.workflow.getHandle(closed).terminate('done');
    await sleep(1200);
    const dry = await retention({ retainAfterClose: '1 second', unusedUploadGrace: '1 hour', dryRun: true });
    assert.ok(dry.deleted.sha256s.includes(sha));
    assert.equal(await stores.blobs.has({ sha256: sha }), true);
  });

  it('refuses a bad input at once, naming the fields (non-retryable FerjeInvalidInput)', async () => {
    await assert.rejects(
      retention({ retainAfterClose: 'soonish', unusedUploadGrace: '-5 days' }, 'documents-retention-invalid-input'),
      (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        const cause = err.cause;
        assert.ok(cause instanceof ApplicationFailure);
        assert.equal(cause.type, 'FerjeInvalidInput');
        assert.equal(cause.nonRetryable, true);
        assert.match(cause.message, /retainAfterClose/);
        assert.match(cause.message, /unusedUploadGrace/);
        return true;
      },
    );
  });

  it('ends hostile input typed and non-retryable within seconds, deleting nothing', async () => {
    const env = await getTestEnv();
    // A document that a real run with a short retention would delete: it must survive every refused run.
    const closed = await flow();
    const sha = await heldBy(closed);
    await env.client.workflow.getHandle(closed).terminate('done');
    await sleep(1100);
    const cases: [unknown[], RegExp][] = [
      [[null], /\(input\) must be an object/],
      [[[]], /\(input\) must be an object/],
      [['30 days'], /\(input\) must be an object/],
      [[{ retainAfterClose: 30 }], /\/retainAfterClose must be a duration/],
      [[{ retainAfterClose: '0 seconds' }], /\/retainAfterClose must be a duration/],
      [[{ unusedUploadGrace: '5000000 days' }], /\/unusedUploadGrace must be a duration/],
      [[{ unusedUploadGrace: 'x'.repeat(10_000) }], /\/unusedUploadGrace must be a duration/],
      [[{ dryRun: 'yes' }], /\/dryRun must be true or false/],
      // A misspelt setting must not quietly fall back to the default and delete on it.
      [[{ retainAfterClos: '1 second' }], /\/retainAfterClos is not a retention setting/],
      [[{ retainAfterClose: '1 second', ['__proto__']: { dryRun: 'no' } }], /not a retention setting|must be/],
    ];
    for (const [args, expected] of cases) {
      const started = Date.now();
      const handle = await env.client.workflow.start(documentsWorkflowTypes.retention, {
        workflowId: `documents-retention/hostile-${randomUUID()}`,
        taskQueue,
        args,
        // A failed task would be retried after this; the case must fail the workflow, not its task.
        workflowTaskTimeout: '2s',
      });
      const err = await handle.result().then(
        () => assert.fail(`${JSON.stringify(args).slice(0, 80)} should have been refused`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      const cause = err.cause;
      assert.ok(cause instanceof ApplicationFailure, String(cause));
      assert.equal(cause.type, 'FerjeInvalidInput', cause.message);
      assert.equal(cause.nonRetryable, true);
      assert.match(cause.message, expected);
      assert.ok(!cause.message.includes('xxxxxxxx'), 'the value is never echoed');
      assert.ok(Date.now() - started < 15_000, 'refused within seconds');
    }
    assert.equal(await stores.blobs.has({ sha256: sha }), true, 'no refused run deleted anything');
  });

  it('is started by a Temporal Schedule that runs the retention workflow', async () => {
    const env = await getTestEnv();
    const scheduleId = `documents-retention-test-${randomUUID()}`;
    await ensureRetentionSchedule(
      env.client,
      { every: '1 hour', input: { retainAfterClose: '30 days', unusedUploadGrace: '7 days' } },
      { scheduleId, taskQueue },
    );
    // Ensuring again (a second worker start) updates the one schedule instead of failing.
    await ensureRetentionSchedule(
      env.client,
      { every: '2 hours', input: { retainAfterClose: '30 days', unusedUploadGrace: '7 days' } },
      { scheduleId, taskQueue },
    );
    const handle = env.client.schedule.getHandle(scheduleId);
    try {
      const described = await handle.describe();
      assert.equal(described.action.type, 'startWorkflow');
      assert.equal(described.action.workflowType, documentsWorkflowTypes.retention);
      assert.equal(described.spec.intervals?.[0]?.every, 2 * 3600_000);
      await handle.trigger();
      let workflowId: string | undefined;
      for (let i = 0; i < 100 && !workflowId; i++) {
        workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (!workflowId) await sleep(100);
      }
      assert.ok(workflowId, 'the schedule started a run');
      const result = (await env.client.workflow.getHandle(workflowId).result()) as DocumentsRetentionResult;
      assert.equal(result.plan.retainAfterCloseMs, 30 * 86_400_000);
    } finally {
      await handle.delete();
    }
  });

  it('FERJE_DOCUMENTS_RETENTION=false pauses an existing schedule; on again resumes it, but never an operator’s pause', async () => {
    const env = await getTestEnv();
    const scheduleId = `documents-retention-test-${randomUUID()}`;
    const settings = { every: '1 hour', input: { retainAfterClose: '30 days', unusedUploadGrace: '7 days' } };
    assert.equal(await pauseRetentionSchedule(env.client, scheduleId), 'absent');
    await ensureRetentionSchedule(env.client, settings, { scheduleId, taskQueue });
    const handle = env.client.schedule.getHandle(scheduleId);
    try {
      assert.equal(await pauseRetentionSchedule(env.client, scheduleId), 'paused');
      assert.equal((await handle.describe()).state.paused, true);
      assert.equal(await pauseRetentionSchedule(env.client, scheduleId), 'already paused');
      await ensureRetentionSchedule(env.client, settings, { scheduleId, taskQueue });
      assert.equal((await handle.describe()).state.paused, false, 'the setting on again resumes it');
      await handle.pause('incident 42: hold all deletion');
      await ensureRetentionSchedule(env.client, settings, { scheduleId, taskQueue });
      const described = await handle.describe();
      assert.equal(described.state.paused, true, 'a worker start does not lift an operator’s pause');
      assert.equal(described.state.note, 'incident 42: hold all deletion');
    } finally {
      await handle.delete();
    }
  });
});
