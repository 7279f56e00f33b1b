import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { OutgoingFailureDetails, OutgoingMessageInput } from '../../../src/contract/eformidling';
import { messageStateQuery } from '../../../src/contract/eformidling';
import type { eformidlingOutgoingMessage } from '../../../workflows';
import { recordHistory } from '../../harness/histories';
import {
  arkivmelding,
  control,
  messageFailure,
  runMessage,
  startRig,
  type EformidlingTestRig,
  type MessageView,
} from './harness';

describe('eFormidling outgoing message (real dev server + simulator, polling only)', () => {
  let rig: EformidlingTestRig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig.stop();
  });

  const run = (input: OutgoingMessageInput) => runMessage(rig, input);
  const failure = (input: OutgoingMessageInput) => messageFailure(rig, input);
  const view = (messageId: string) => control<MessageView>(rig, 'GET', `/messages/${messageId}`);

  it('sends a small message in one step and settles on LEVERT with the whole history', async () => {
    const input = await arkivmelding(rig);
    const result = await run(input);
    assert.equal(result.finalStatus, 'LEVERT');
    assert.equal(result.sendMode, 'one-step');
    assert.equal(result.serviceIdentifier, 'DPO');
    assert.equal(result.resumedExisting, false);
    assert.deepEqual(
      result.statuses.map((s) => s.status),
      ['OPPRETTET', 'SENDT', 'MOTTATT', 'LEVERT'],
    );
    assert.ok(result.statuses.every((s) => typeof s.id === 'number'));
    const state = await control<{ stats: { multipartPosts: number; uploads: number } }>(rig, 'GET', '/state');
    assert.ok(state.stats.multipartPosts >= 1);
    assert.equal((await view(input.messageId)).creates, 1);
    const snapshot = await rig.env.client.workflow
      .getHandle(`eformidling-message/${input.messageId}`)
      .query(messageStateQuery);
    assert.equal(snapshot.phase, 'settled');
    assert.equal(snapshot.lastStatus, 'LEVERT');
    assert.ok(
      [...rig.sim.userAgents].some((ua) => /^Ferje\/\d+\.\d+\.\d+ \(.+\)$/.test(ua)),
      'User-Agent Ferje/<v> (<platform>)',
    );
    await recordHistory(rig.env.client, `eformidling-message/${input.messageId}`, 'eformidling-outgoing-one-step');
  });

  it('sends a file over 5 MiB in several steps (create, PUT streamed, send)', async () => {
    const input = await arkivmelding(rig, { documentBytes: 6 * 1024 * 1024 + 17 });
    const uploadsBefore = (await control<{ stats: { uploads: number } }>(rig, 'GET', '/state')).stats.uploads;
    const result = await run(input);
    assert.equal(result.finalStatus, 'LEVERT');
    assert.equal(result.sendMode, 'multi-step');
    const uploadsAfter = (await control<{ stats: { uploads: number } }>(rig, 'GET', '/state')).stats.uploads;
    assert.equal(uploadsAfter - uploadsBefore, 2);
    assert.equal((await view(input.messageId)).creates, 1);
    await recordHistory(rig.env.client, `eformidling-message/${input.messageId}`, 'eformidling-outgoing-multi-step');
  });

  it('waits for LEST when asked to', async () => {
    const input = await arkivmelding(rig, {
      receiver: { kind: 'organisation', organisationNumber: '920000003' },
      settleOn: 'LEST',
    });
    const result = await run(input);
    assert.equal(result.finalStatus, 'LEST');
    assert.equal(result.statuses.at(-1)?.status, 'LEST');
    await recordHistory(rig.env.client, `eformidling-message/${input.messageId}`, 'eformidling-outgoing-lest');
  });

  it('fails with EformidlingDeliveryFailed and the history on FEIL', async () => {
    const input = await arkivmelding(rig, { receiver: { kind: 'organisation', organisationNumber: '920000004' } });
    const cause = await failure(input);
    assert.equal(cause.type, 'EformidlingDeliveryFailed');
    assert.equal(cause.nonRetryable, true);
    const details = cause.details?.[0] as OutgoingFailureDetails;
    assert.deepEqual(
      details.statuses.map((s) => s.status),
      ['OPPRETTET', 'SENDT', 'FEIL'],
    );
    assert.equal(details.afterDelivery, false);
    await recordHistory(rig.env.client, `eformidling-message/${input.messageId}`, 'eformidling-outgoing-feil');
  });

  it('reports FEIL that follows LEVERT while listening after delivery', async () => {
    const input = await arkivmelding(rig, {
      receiver: { kind: 'organisation', organisationNumber: '920000006' },
      listenAfterDelivery: '5 seconds',
    });
    const cause = await failure(input);
    assert.equal(cause.type, 'EformidlingDeliveryFailed');
    assert.equal((cause.details?.[0] as OutgoingFailureDetails).afterDelivery, true);
  });

  it('fails with EformidlingLifetimeExpired when the IP reports LEVETID_UTLOPT', async () => {
    const input = await arkivmelding(rig, {
      receiver: { kind: 'organisation', organisationNumber: '920000005' },
      expectedResponseDateTime: new Date(Date.now() + 4000).toISOString(),
    });
    const cause = await failure(input);
    assert.equal(cause.type, 'EformidlingLifetimeExpired');
    const details = cause.details?.[0] as OutgoingFailureDetails;
    assert.equal(details.statuses.at(-1)?.status, 'LEVETID_UTLOPT');
    assert.equal(details.reason, 'levetid-utlopt');
    await recordHistory(
      rig.env.client,
      `eformidling-message/${input.messageId}`,
      'eformidling-outgoing-levetid-utlopt',
    );
  });

  it('fails without sending anything when the receiver has no capability (non-retryable)', async () => {
    const none = await arkivmelding(rig, { receiver: { kind: 'organisation', organisationNumber: '960000001' } });
    const cause = await failure(none);
    assert.equal(cause.type, 'EformidlingNoCapability');
    assert.equal(cause.nonRetryable, true);
    assert.equal((cause.details?.[0] as OutgoingFailureDetails).reason, 'no-matching-capability');
    assert.equal((await view(none.messageId)).creates, 0);
    assert.equal((await view(none.messageId)).conversations.length, 0);
    await recordHistory(rig.env.client, `eformidling-message/${none.messageId}`, 'eformidling-outgoing-no-capability');

    const unknown = await arkivmelding(rig, { receiver: { kind: 'organisation', organisationNumber: '999999999' } });
    const cause2 = await failure(unknown);
    assert.equal(cause2.type, 'EformidlingNoCapability');
    assert.equal((cause2.details?.[0] as OutgoingFailureDetails).reason, 'unknown-receiver');
    assert.equal((await view(unknown.messageId)).creates, 0);
  });

  it('rejects bad input before any call, naming fields but never values', async () => {
    const input = await arkivmelding(rig);
    const pin = '13097248022';
    const bad = {
      ...input,
      receiver: { kind: 'person' as const, personalIdentificationNumber: `${pin}x` },
      files: [input.files[0], { ...input.files[1], fileName: 'arkivmelding.xml' }],
    };
    const lookupsBefore = (await control<{ stats: { capabilityLookups: number } }>(rig, 'GET', '/state')).stats
      .capabilityLookups;
    const cause = await failure(bad);
    assert.equal(cause.type, 'FerjeInvalidInput');
    assert.match(cause.message, /receiver\/personalIdentificationNumber/);
    assert.match(cause.message, /files\/1\/fileName/);
    assert.ok(!cause.message.includes(pin));
    const lookupsAfter = (await control<{ stats: { capabilityLookups: number } }>(rig, 'GET', '/state')).stats
      .capabilityLookups;
    assert.equal(lookupsAfter, lookupsBefore);
  });

  it('refuses a message over the transport total before creating anything', async () => {
    const small = await startRig({ env: { EFORMIDLING_TRANSPORT_LIMITS: 'DPO=1000' } });
    try {
      const input = await arkivmelding(small);
      const err = await small.env.client.workflow
        .execute<typeof eformidlingOutgoingMessage>('eformidlingOutgoingMessage', {
          workflowId: `eformidling-message/${input.messageId}`,
          taskQueue: small.taskQueue,
          args: [input],
        })
        .then(
          () => assert.fail('should fail'),
          (e: unknown) => e,
        );
      assert.ok(err instanceof WorkflowFailedError);
      assert.equal((err.cause as ApplicationFailure).type, 'EformidlingMessageTooLarge');
      assert.equal((await control<MessageView>(small, 'GET', `/messages/${input.messageId}`)).creates, 0);
    } finally {
      await small.stop();
    }
  });

  it('a repeated start with the same messageId never sends twice', async () => {
    const input = await arkivmelding(rig);
    const options = {
      workflowId: `eformidling-message/${input.messageId}`,
      taskQueue: rig.taskQueue,
      args: [input] as [OutgoingMessageInput],
    };
    const first = await rig.env.client.workflow.start<typeof eformidlingOutgoingMessage>(
      'eformidlingOutgoingMessage',
      options,
    );
    await assert.rejects(
      rig.env.client.workflow.start<typeof eformidlingOutgoingMessage>('eformidlingOutgoingMessage', options),
    );
    assert.equal((await first.result()).finalStatus, 'LEVERT');
    assert.equal((await view(input.messageId)).creates, 1);
  });

  it('cancelled during the upload: the half-built message is removed from the outbox', async () => {
    await control(rig, 'PUT', '/settings', { uploadThrottleBytesPerSecond: 1024 * 1024 });
    try {
      const input = await arkivmelding(rig, { documentBytes: 8 * 1024 * 1024 });
      const handle = await rig.env.client.workflow.start<typeof eformidlingOutgoingMessage>(
        'eformidlingOutgoingMessage',
        {
          workflowId: `eformidling-message/${input.messageId}`,
          taskQueue: rig.taskQueue,
          args: [input],
        },
      );
      const deadline = Date.now() + 30_000;
      while ((await control<{ uploadsInProgress: number }>(rig, 'GET', '/state')).uploadsInProgress === 0) {
        assert.ok(Date.now() < deadline, 'upload never started');
        await new Promise((r) => setTimeout(r, 50));
      }
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
      const until = Date.now() + 10_000;
      while ((await view(input.messageId)).outbox && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      assert.ok(!(await view(input.messageId)).outbox, 'outbox entry deleted');
      assert.equal((await view(input.messageId)).creates, 1);
    } finally {
      await control(rig, 'PUT', '/settings', { uploadThrottleBytesPerSecond: 0 });
    }
  });

  it('rides out 5xx, dropped connections and malformed answers from the IP (retried, then settled)', async () => {
    await control(rig, 'POST', '/faults', { method: 'GET', path: '^/api/capabilities/', status: 503, count: 2 });
    await control(rig, 'POST', '/faults', {
      method: 'POST',
      path: '^/api/messages/out/multipart$',
      drop: true,
      count: 1,
    });
    await control(rig, 'POST', '/faults', { method: 'GET', path: '^/api/statuses/', malformed: true, count: 1 });
    const input = await arkivmelding(rig);
    const result = await run(input);
    assert.equal(result.finalStatus, 'LEVERT');
    assert.equal((await view(input.messageId)).creates, 1);
    assert.deepEqual(
      rig.sim.faults.map((f) => f.count),
      [0, 0, 0],
    );
    await control(rig, 'DELETE', '/faults');
  });
});
