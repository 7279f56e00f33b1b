import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { InboxState, OutgoingFailureDetails } from '../../../src/contract/eformidling';
import { inboxStateQuery } from '../../../src/contract/eformidling';
import type { eformidlingInbox, eformidlingOutgoingMessage } from '../../../workflows';
import { recordHistory } from '../../harness/histories';
import { createLocalTestEnv } from '../../harness/temporal';
import { arkivmelding, control, startRig, type EformidlingTestRig } from './harness';

// A dev server of its own that suggests continue-as-new after 40 events, so long-lived paths roll over quickly.
describe('eFormidling long-lived workflows continue as new without losing state', () => {
  let temporal: TestWorkflowEnvironment;
  let rig: EformidlingTestRig;
  before(async () => {
    temporal = await createLocalTestEnv(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40']);
    rig = await startRig({ temporal });
  });
  after(async () => {
    await rig.stop();
    await temporal.teardown();
  });

  it('the inbox carries its remembered messageIds across runs and hands each message once', async () => {
    const inboxId = `eformidling-inbox/can-${randomUUID().slice(0, 8)}`;
    const handle = await rig.env.client.workflow.start<typeof eformidlingInbox>('eformidlingInbox', {
      workflowId: inboxId,
      taskQueue: rig.taskQueue,
      args: [
        {
          inboxName: inboxId.split('/')[1],
          consumer: { kind: 'child', workflowType: 'eformidlingStoreIncoming' },
          pollInterval: '200 ms',
        },
      ],
    });
    const firstRunId = handle.firstExecutionRunId;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        (
          await control<{ messageId: string }>(rig, 'POST', '/incoming', {
            files: [{ name: 'a.txt', text: `message ${i}` }],
          })
        ).messageId,
      );
    }
    for (const id of ids) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await rig.env.client.workflow.getHandle(`eformidling-incoming/${id}`).result();
          break;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
          await sleep(100);
        }
      }
    }
    // Redeliver the first one after the inbox has continued as new: it must still be recognised.
    const described = await rig.env.client.workflow.getHandle(inboxId).describe();
    assert.notEqual(described.runId, firstRunId, 'the inbox continued as new');
    await control(rig, 'POST', '/incoming', { messageId: ids[0], files: [{ name: 'a.txt', text: 'again' }] });
    const deadline = Date.now() + 30_000;
    let state: InboxState;
    do {
      await sleep(200);
      state = await rig.env.client.workflow.getHandle(inboxId).query<InboxState>(inboxStateQuery);
    } while (state.totals.duplicatesDropped < 1 && Date.now() < deadline);
    assert.equal(state.totals.handed, 6);
    assert.equal(state.totals.duplicatesDropped, 1);
    await recordHistory(rig.env.client, inboxId, 'eformidling-inbox-continue-as-new', { runId: firstRunId });
    await rig.env.client.workflow.getHandle(inboxId).terminate('test done');
  });

  it('a message tracked for a long time keeps its status history across runs', async () => {
    const input = await arkivmelding(rig, {
      receiver: { kind: 'organisation', organisationNumber: '920000005' },
      expectedResponseDateTime: new Date(Date.now() + 8000).toISOString(),
      tracking: { pollInitialInterval: '100 ms', pollMaxInterval: '100 ms' },
    });
    const handle = await rig.env.client.workflow.start<typeof eformidlingOutgoingMessage>(
      'eformidlingOutgoingMessage',
      {
        workflowId: `eformidling-message/${input.messageId}`,
        taskQueue: rig.taskQueue,
        args: [input],
      },
    );
    const err = await handle.result().then(
      () => assert.fail('should expire'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    const cause = err.cause as ApplicationFailure;
    assert.equal(cause.type, 'EformidlingLifetimeExpired');
    assert.deepEqual(
      (cause.details?.[0] as OutgoingFailureDetails).statuses.map((s) => s.status),
      ['OPPRETTET', 'SENDT', 'LEVETID_UTLOPT'],
    );
    const described = await handle.describe();
    assert.notEqual(described.runId, handle.firstExecutionRunId, 'tracking continued as new');
    await recordHistory(rig.env.client, handle.workflowId, 'eformidling-outgoing-continue-as-new', {
      runId: handle.firstExecutionRunId,
    });
  });
});
