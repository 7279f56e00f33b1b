import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { eformidlingWorkflowTypes, type OutgoingMessageInput } from '../../../src/contract/eformidling';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import { refusedAtStart } from '../../harness/hostile-start';
import { arkivmelding, control, startRig, type EformidlingTestRig } from './harness';

/** A checksum-valid Norwegian national identity number (synthetic): refused wherever it would become a key. */
const NIN = '13097248022';

/**
 * Hostile input, started the language-neutral way (a raw `workflow.start(type, { args })`, as `temporal workflow start
 * --input …` does): every case must end as a typed, non-retryable failure within seconds, never as a workflow task
 * retrying forever, and before any call to the integrasjonspunkt.
 */
describe('eFormidling hostile input (real dev server + simulator)', () => {
  let rig: EformidlingTestRig;
  let valid: OutgoingMessageInput;
  before(async () => {
    rig = await startRig();
    valid = await arkivmelding(rig);
  });
  after(async () => {
    await rig.stop();
  });

  const apiRequests = async (): Promise<number> =>
    (await control<{ stats: { apiRequests: number } }>(rig, 'GET', '/state')).stats.apiRequests;

  async function refused(workflowType: string, args: unknown[]): Promise<ApplicationFailure> {
    const before = await apiRequests();
    const failure = await refusedAtStart(rig.env.client, {
      workflowType,
      taskQueue: rig.taskQueue,
      workflowId: `hostile-${workflowType}-${crypto.randomUUID()}`,
      args,
    });
    assert.equal(await apiRequests(), before, 'no call to the integrasjonspunkt');
    return failure;
  }

  async function invalid(workflowType: string, args: unknown[], path: string | RegExp): Promise<void> {
    const failure = await refused(workflowType, args);
    assert.equal(failure.type, commonFailureTypes.invalidInput, failure.message);
    assert.match(failure.message, typeof path === 'string' ? new RegExp(`${path.replace(/\//g, '\\/')}\\b`) : path);
    assert.ok(!failure.message.includes(NIN), 'the value is never echoed');
  }

  const out = eformidlingWorkflowTypes.outgoingMessage;
  const inbox = eformidlingWorkflowTypes.inbox;
  const reader = eformidlingWorkflowTypes.statusQueueReader;
  const store = eformidlingWorkflowTypes.storeIncoming;
  const consumer = { kind: 'child', workflowType: 'eformidlingStoreIncoming' };

  describe('outgoing message', () => {
    it('null input', () => invalid(out, [null], /\(input\) must be an object/));
    it('no argument at all', () => invalid(out, [], /\(input\) must be an object/));
    it('an array', () => invalid(out, [[valid]], /\(input\) must be an object/));
    it('a receiver that is null', () => invalid(out, [{ ...valid, receiver: null }], '/receiver'));
    it('wrong types in the files array', () => invalid(out, [{ ...valid, files: [1, 'x', null] }], '/files/0'));
    it('a tracking interval of "0 seconds"', () =>
      invalid(out, [{ ...valid, tracking: { pollInitialInterval: '0 seconds' } }], '/tracking/pollInitialInterval'));
    it('an unparsable duration', () =>
      invalid(out, [{ ...valid, tracking: { pollMaxInterval: 'soon-ish' } }], '/tracking/pollMaxInterval'));
    it('a forged continuation (skipping the send)', () =>
      invalid(
        out,
        [
          {
            ...valid,
            continuation: {
              serviceIdentifier: 'DPO',
              sendMode: 'one-step',
              resumedExisting: false,
              statuses: [{ status: 'LEVERT', at: new Date().toISOString(), source: 'poll', id: 1 }],
              deadline: new Date(Date.now() + 60_000).toISOString(),
              pollIntervalMs: 1000,
            },
          },
        ],
        '/continuation',
      ));
    it('a national identity number inside the process (shown in the summary)', () =>
      invalid(out, [{ ...valid, process: `urn:no:difi:profile:${NIN}` }], '/process'));
    it('a too-long reference', () =>
      invalid(out, [{ ...valid, senderReference: 'x'.repeat(300) }], '/senderReference'));
  });

  describe('inbox', () => {
    it('null input', () => invalid(inbox, [null], /\(input\) must be an object/));
    it('an inbox without a consumer', () => invalid(inbox, [{ inboxName: 'hostile' }], '/consumer'));
    it('a national identity number as the inbox name (workflow ID, search attribute)', () =>
      invalid(inbox, [{ inboxName: NIN, consumer }], '/inboxName'));
    it('a poll interval of "0 seconds"', () =>
      invalid(inbox, [{ inboxName: 'hostile', consumer, pollInterval: '0 seconds' }], '/pollInterval'));
    it('forged remembered messageIds (would delete messages unseen)', () =>
      invalid(inbox, [{ inboxName: 'hostile', consumer, handedRecently: [crypto.randomUUID()] }], '/handedRecently'));
  });

  describe('status-queue reader', () => {
    it('a number as input', () => invalid(reader, [42], /\(input\) must be an object/));
    it('a drain size of 0', () => invalid(reader, [{ batchSize: 0 }], '/batchSize'));
    it('an unparsable poll interval', () => invalid(reader, [{ pollInterval: 'every now and then' }], '/pollInterval'));
    it('forged totals', () => invalid(reader, [{ totals: { dispatched: -1, withoutWorkflow: 0 } }], '/totals'));
  });

  describe('store incoming', () => {
    const delivery = {
      messageId: crypto.randomUUID(),
      inboxName: 'main',
      sbd: {},
      sbdBlob: { sha256: 'a'.repeat(64), size: 2 },
      receivedAt: new Date().toISOString(),
    };
    it('null input', () => invalid(store, [null], /\(input\) must be an object/));
    it('a national identity number as messageId (workflow ID of the consumer)', () =>
      invalid(store, [{ ...delivery, messageId: NIN }], '/messageId'));
    it('a blob reference of the wrong shape', () =>
      invalid(store, [{ ...delivery, asic: { sha256: 'short', size: -1 } }], '/asic'));
  });
});
