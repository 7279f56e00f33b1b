import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusEntry } from '../../../src/contract/eformidling';
import { validateOutgoingMessage } from '../../../src/contract/eformidling';
import { selectCapability } from '../../../workflows/eformidling/capability';
import { addHint, assess, mergePolled, type SettleRules } from '../../../workflows/eformidling/tracking';

const at = (s: number): string => new Date(1_800_000_000_000 + s * 1000).toISOString();
const st = (status: StatusEntry['status'], id: number, source: StatusEntry['source'] = 'poll'): StatusEntry => ({
  status,
  id,
  at: at(id),
  source,
});
const rules: SettleRules = { settleOn: 'LEVERT', listenAfterDeliveryMs: 0, awaitReadForMs: 1000, giveUpAt: 10_000 };

describe('eFormidling decisions (pure)', () => {
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
});
