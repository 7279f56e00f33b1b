import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { OutgoingMessageInput, OutgoingMessageState } from '../../../src/contract/eformidling';
import { messageStateQuery } from '../../../src/contract/eformidling';
import type { DuplicateSendBehaviour, SimStats } from '../../../src/simulators/eformidling/state';
import type { eformidlingOutgoingMessage } from '../../../workflows';
import { recordHistory } from '../../harness/histories';
import { arkivmelding, control, startRig, type EformidlingTestRig, type MessageView } from './harness';

const SEND = { method: 'POST', path: '^/api/messages/out/[0-9a-fA-F-]{36}$' };
const MULTIPART = { method: 'POST', path: '^/api/messages/out/multipart$' };

/**
 * The IP's `POST /api/messages/out/{id}` is not idempotent: every accepted send enqueues the message again, and the
 * second copy reaches the receiver a second time or ends as FEIL (both are simulator switches). Ferje must send once:
 * after an answer that never came it looks for the IP's evidence (a status after OPPRETTET, the message gone from
 * the outbox) and sends again only when there is none for the whole evidence window. The IP's transport is slowed
 * down (`transportStartDelayMs`) so a blind retry would meet the message still in the outbox.
 */
for (const duplicateSend of ['deliver-again', 'fail-in-transport'] as DuplicateSendBehaviour[]) {
  describe(`eFormidling send is never repeated without evidence (simulator: ${duplicateSend})`, () => {
    let rig: EformidlingTestRig;
    before(async () => {
      rig = await startRig({ settings: { duplicateSend, transportStartDelayMs: 4000 } });
    });
    after(async () => {
      await rig.stop();
    });

    const run = async (input: OutgoingMessageInput) => {
      const handle = await rig.env.client.workflow.start<typeof eformidlingOutgoingMessage>(
        'eformidlingOutgoingMessage',
        { workflowId: `eformidling-message/${input.messageId}`, taskQueue: rig.taskQueue, args: [input] },
      );
      return { handle, result: await handle.result() };
    };
    const stats = async () => (await control<{ stats: SimStats }>(rig, 'GET', '/state')).stats;
    /** Long enough for a second copy's transport to show (FEIL comes after the first copy's LEVERT). */
    const afterDuplicateWindow = () => sleep(4000 + 6 * 100 + 500);
    const assertOnce = async (messageId: string) => {
      await afterDuplicateWindow();
      const s = await stats();
      assert.equal(s.handovers[messageId], 1, 'handed to transport exactly once');
      const statuses = (await control<MessageView>(rig, 'GET', `/messages/${messageId}`)).conversations[0].statuses;
      assert.ok(!statuses.includes('FEIL'), `no FEIL: ${statuses.join(',')}`);
      assert.equal(statuses.filter((x) => x === 'SENDT').length, 1);
    };

    it('multi-step: the answer to send is lost after the IP took it → one delivery, no FEIL', async () => {
      const before = (await stats()).duplicateSends;
      await control(rig, 'POST', '/faults', { ...SEND, dropResponse: true, count: 1 });
      const input = await arkivmelding(rig, {
        documentBytes: 6 * 1024 * 1024,
        tracking: { pollInitialInterval: '300 ms', pollMaxInterval: '1 second', sendEvidenceWindow: '1 minute' },
      });
      const { handle, result } = await run(input);
      assert.equal(result.finalStatus, 'LEVERT');
      assert.equal(result.sendMode, 'multi-step');
      const state = await handle.query(messageStateQuery);
      assert.equal(state.sendsWithUnknownOutcome, 1);
      assert.equal(state.resends ?? 0, 0, 'the evidence (SENDT) came within the window');
      assert.equal((await stats()).duplicateSends, before, 'the IP never got a second send');
      await assertOnce(input.messageId);
      if (duplicateSend === 'deliver-again')
        await recordHistory(rig.env.client, handle.workflowId, 'eformidling-outgoing-send-answer-lost');
    });

    it('one-step: the multipart answer is lost, the retry hears "already exists" → one delivery, no FEIL', async () => {
      await control(rig, 'POST', '/faults', { ...MULTIPART, dropResponse: true, count: 1 });
      const input = await arkivmelding(rig, {
        tracking: { pollInitialInterval: '300 ms', pollMaxInterval: '1 second', sendEvidenceWindow: '1 minute' },
      });
      const { handle, result } = await run(input);
      assert.equal(result.finalStatus, 'LEVERT');
      assert.equal(result.sendMode, 'one-step');
      assert.equal(result.resumedExisting, true);
      assert.equal((await handle.query(messageStateQuery)).resends ?? 0, 0);
      assert.equal((await stats()).sends >= 1, true);
      await assertOnce(input.messageId);
    });

    it('a send that truly never arrived is sent again once the evidence window shows nothing', async () => {
      await control(rig, 'POST', '/faults', { ...SEND, drop: true, count: 1 });
      const input = await arkivmelding(rig, {
        documentBytes: 6 * 1024 * 1024,
        tracking: { pollInitialInterval: '300 ms', pollMaxInterval: '1 second', sendEvidenceWindow: '2 seconds' },
      });
      const { handle, result } = await run(input);
      assert.equal(result.finalStatus, 'LEVERT');
      const state: OutgoingMessageState = await handle.query(messageStateQuery);
      assert.equal(state.sendsWithUnknownOutcome, 1);
      assert.equal(state.resends, 1);
      await assertOnce(input.messageId);
      if (duplicateSend === 'deliver-again')
        await recordHistory(rig.env.client, handle.workflowId, 'eformidling-outgoing-send-never-arrived');
    });

    it("the IP's own 5xx to send means not taken: sent again at once, without waiting for evidence", async () => {
      await control(rig, 'POST', '/faults', { ...SEND, status: 500, count: 1 });
      const input = await arkivmelding(rig, { documentBytes: 6 * 1024 * 1024 });
      const { handle, result } = await run(input);
      assert.equal(result.finalStatus, 'LEVERT');
      assert.equal((await handle.query(messageStateQuery)).sendsWithUnknownOutcome, undefined);
      await assertOnce(input.messageId);
    });
  });
}
