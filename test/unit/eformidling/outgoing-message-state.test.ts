import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusEntry } from '../../../src/contract/eformidling';
import { validateOutgoingMessage } from '../../../src/contract/eformidling';
import {
  addHint,
  assess,
  confirmVerdict,
  continuationOf,
  judge,
  mergePolled,
  needsConfirmation,
  nextPollMs,
  noteHint,
  notePoll,
  selectCapability,
  sendFailureStatus,
  sendModeFor,
  startRun,
  trackingRules,
  verdictFailure,
  type OutgoingRun,
  type SettleRules,
} from '../../../workflows/eformidling/outgoing-message-state';
import type { OutgoingMessageWorkflowInput } from '../../../src/contract/eformidling';
import { eformidlingFailureTypes } from '../../../src/contract/eformidling';
import { commonFailureTypes } from '../../../src/contract/failure-types';

const at = (s: number): string => new Date(1_800_000_000_000 + s * 1000).toISOString();
const st = (status: StatusEntry['status'], id: number, source: StatusEntry['source'] = 'poll'): StatusEntry => ({
  status,
  id,
  at: at(id),
  source,
});
const rules: SettleRules = { settleOn: 'LEVERT', listenAfterDeliveryMs: 0, awaitReadForMs: 1000, giveUpAt: 10_000 };

describe('eFormidling outgoing message state (pure)', () => {
  it('settles on LEVERT, LEST, FEIL and LEVETID_UTLOPT as the digest says', () => {
    assert.deepEqual(assess([st('OPPRETTET', 1), st('LEVERT', 2)], rules, 0), {
      kind: 'delivered',
      finalStatus: 'LEVERT',
    });
    assert.equal(assess([st('OPPRETTET', 1), st('SENDT', 2)], rules, 0).kind, 'pending');
    assert.deepEqual(assess([st('SENDT', 1), st('FEIL', 2)], rules, 0), {
      kind: 'failed',
      status: 'FEIL',
      afterDelivery: false,
    });
    assert.deepEqual(assess([st('LEVERT', 1), st('FEIL', 2)], rules, 0), {
      kind: 'failed',
      status: 'FEIL',
      afterDelivery: true,
    });
    assert.deepEqual(assess([st('SENDT', 1), st('LEVETID_UTLOPT', 2)], rules, 0), {
      kind: 'failed',
      status: 'LEVETID_UTLOPT',
      afterDelivery: false,
    });
    // After delivery, LEVETID_UTLOPT is recorded but does not undo LEVERT.
    assert.equal(assess([st('LEVERT', 1), st('LEVETID_UTLOPT', 2)], rules, 0).kind, 'delivered');
    const lest = { ...rules, settleOn: 'LEST' as const, deliveredSeenAt: 0 };
    assert.deepEqual(assess([st('LEVERT', 1)], lest, 500), { kind: 'pending', waitUntil: 1000 });
    assert.deepEqual(assess([st('LEVERT', 1)], lest, 1000), {
      kind: 'delivered',
      finalStatus: 'LEVERT',
      readReceiptTimedOut: true,
    });
    const listen = { ...rules, listenAfterDeliveryMs: 100, deliveredSeenAt: 0 };
    assert.equal(assess([st('LEVERT', 1)], listen, 50).kind, 'pending');
  });

  it('merges polls over hints without duplicates; hints never repeat a known status', () => {
    const known: StatusEntry[] = [st('OPPRETTET', 1)];
    assert.equal(addHint(known, { status: 'SENDT', source: 'webhook' }, at(2)), true);
    assert.equal(addHint(known, { status: 'SENDT', source: 'webhook' }, at(3)), false);
    assert.equal(addHint(known, { status: 'OPPRETTET', id: 1, source: 'status-queue' }, at(3)), false);
    const merged = mergePolled(known, [st('OPPRETTET', 1), st('SENDT', 2), st('MOTTATT', 3)]);
    assert.deepEqual(
      merged.map((s) => `${s.status}:${s.source}`),
      ['OPPRETTET:poll', 'SENDT:poll', 'MOTTATT:poll'],
    );
  });

  it('selects the first fitting capability, honouring a required transport', () => {
    const caps = [
      { process: 'p', serviceIdentifier: 'DPO' as const, documentTypes: ['arkivmelding'] },
      { process: 'p', serviceIdentifier: 'DPV' as const, documentTypes: ['arkivmelding', 'digital_dpv'] },
    ];
    assert.equal(selectCapability(caps, { process: 'p', documentType: 'arkivmelding' })?.serviceIdentifier, 'DPO');
    assert.equal(
      selectCapability(caps, { process: 'p', documentType: 'arkivmelding', serviceIdentifier: 'DPV' })
        ?.serviceIdentifier,
      'DPV',
    );
    assert.equal(selectCapability(caps, { process: 'p', documentType: 'digital' }), undefined);
    assert.equal(selectCapability(caps, { process: 'q', documentType: 'arkivmelding' }), undefined);
  });

  it('validates input with paths and rules, never values', () => {
    const pin = '13097248022';
    const problems = validateOutgoingMessage(
      {
        messageId: 'nope',
        receiver: { kind: 'person', personalIdentificationNumber: `${pin}1` },
        process: 'urn:no:difi:profile:digitalpost:vedtak:ver1.0',
        documentType: 'digital',
        businessMessage: {},
        files: [],
        expectedResponseDateTime: '2020-01-01T00:00:00Z',
      },
      Date.now(),
    );
    const paths = problems.map((p) => p.path);
    for (const p of [
      '/messageId',
      '/receiver/personalIdentificationNumber',
      '/files',
      '/businessMessage/hoveddokument',
      '/expectedResponseDateTime',
    ])
      assert.ok(paths.includes(p), p);
    assert.ok(!JSON.stringify(problems).includes(pin));
  });

  const blob = { sha256: 'a'.repeat(64), size: 10 };
  const input: OutgoingMessageWorkflowInput = {
    messageId: '5f0c8a52-0d6b-4a8e-9a43-6f2f1d1c2b3a',
    receiver: { kind: 'organisation', organisationNumber: '920000002' },
    process: 'urn:no:difi:profile:arkivmelding:administrasjon:ver1.0',
    documentType: 'arkivmelding',
    businessMessage: {},
    files: [{ blob, fileName: 'arkivmelding.xml' }],
    expectedResponseDateTime: new Date(1_800_000_100_000).toISOString(),
    tracking: { pollInitialInterval: '1 second', pollMaxInterval: '4 seconds' },
  };
  const tracking = (): { run: OutgoingRun; now: number } => {
    const run = startRun(input, trackingRules(input), 1_800_000_000_000);
    run.snapshot.statuses = [st('OPPRETTET', 1), st('SENDT', 2), st('MOTTATT', 3)];
    return { run, now: 1_800_000_010_000 };
  };

  it('a forged LEVERT webhook wakes the workflow but the IP record refutes it: no settlement, tracking goes on', () => {
    const { run, now } = tracking();
    const rules = trackingRules(input);
    noteHint(run, { status: 'LEVERT', source: 'webhook' }, at(4));
    assert.equal(run.hinted, true);
    assert.equal(judge(run, rules, now).kind, 'delivered', 'the hint alone would settle: it must be confirmed');
    assert.equal(needsConfirmation(run), true);
    // The confirming poll shows the IP still has the message in progress.
    notePoll(run, [st('OPPRETTET', 1), st('SENDT', 2), st('MOTTATT', 3)]);
    const verdict = confirmVerdict(run, rules, now);
    assert.equal(verdict.kind, 'pending');
    assert.deepEqual(
      run.snapshot.statuses.map((s) => s.status),
      ['OPPRETTET', 'SENDT', 'MOTTATT'],
    );
    assert.equal(run.snapshot.refutedHints, 1);
    assert.equal(run.deliveredSeenAt, undefined, 'the listening window must not start from a refuted hint');
    assert.equal(needsConfirmation(run), false);
  });

  it('a forged FEIL webhook does not fail the message either', () => {
    const { run, now } = tracking();
    const rules = trackingRules(input);
    noteHint(run, { status: 'FEIL', source: 'webhook', description: 'forged' }, at(4));
    assert.equal(judge(run, rules, now).kind, 'failed');
    notePoll(run, [st('OPPRETTET', 1), st('SENDT', 2), st('MOTTATT', 3)]);
    assert.equal(confirmVerdict(run, rules, now).kind, 'pending');
    assert.equal(run.snapshot.refutedHints, 1);
  });

  it('a genuine LEVERT webhook settles once the record shows it (with the IP status ids)', () => {
    const { run, now } = tracking();
    const rules = trackingRules(input);
    noteHint(run, { status: 'LEVERT', source: 'webhook' }, at(4));
    judge(run, rules, now);
    notePoll(run, [st('OPPRETTET', 1), st('SENDT', 2), st('MOTTATT', 3), st('LEVERT', 4)]);
    assert.deepEqual(confirmVerdict(run, rules, now), { kind: 'delivered', finalStatus: 'LEVERT' });
    assert.ok(run.snapshot.statuses.every((s) => s.source === 'poll' && typeof s.id === 'number'));
    assert.equal(run.snapshot.refutedHints, undefined);
  });

  it('a genuine FEIL from the record fails with its typed failure and the whole history', () => {
    const { run, now } = tracking();
    const rules = trackingRules(input);
    notePoll(run, [st('OPPRETTET', 1), st('FEIL', 2)]);
    const verdict = confirmVerdict(run, rules, now);
    assert.equal(verdict.kind, 'failed');
    if (verdict.kind !== 'failed') return;
    const failure = verdictFailure(run, verdict);
    assert.equal(failure.type, eformidlingFailureTypes.deliveryFailed);
    assert.equal(failure.status, 'FEIL');
    assert.equal(failure.details.lastStatus, 'FEIL');
  });

  it('backs off while nothing changes and starts over on a change; carries its state through continue-as-new', () => {
    const { run } = tracking();
    const rules = trackingRules(input);
    assert.equal(run.pollMs, 1000);
    run.pollMs = nextPollMs(run, rules, false);
    assert.equal(run.pollMs, 2000);
    run.pollMs = nextPollMs(run, rules, false);
    run.pollMs = nextPollMs(run, rules, false);
    assert.equal(run.pollMs, 4000, 'capped at pollMaxInterval');
    assert.equal(nextPollMs(run, rules, true), 1000);
    run.snapshot.serviceIdentifier = 'DPO';
    run.snapshot.sendMode = 'one-step';
    const continued = startRun({ ...input, continuation: continuationOf(run) }, rules, 1_900_000_000_000);
    assert.equal(continued.snapshot.phase, 'tracking');
    assert.equal(continued.pollMs, 4000);
    assert.equal(continued.snapshot.deadline, run.snapshot.deadline);
    assert.deepEqual(continued.snapshot.statuses, run.snapshot.statuses);
  });

  it('labels send failures and picks the send mode by file size', () => {
    assert.equal(sendFailureStatus(eformidlingFailureTypes.messageTooLarge), 'TOO_LARGE');
    assert.equal(sendFailureStatus(commonFailureTypes.invalidInput), 'INVALID_INPUT');
    assert.equal(sendFailureStatus(eformidlingFailureTypes.rejected), 'REJECTED');
    assert.equal(sendModeFor([{ blob: { size: 5 * 1024 * 1024 } }]), 'one-step');
    assert.equal(sendModeFor([{ blob: { size: 1 } }, { blob: { size: 5 * 1024 * 1024 + 1 } }]), 'multi-step');
  });
});
