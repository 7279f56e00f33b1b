import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlobRef } from '../../../src/contract/blob-ref';
import {
  parseDateTime,
  validateActionMessage,
  validateCancelMessage,
  validateSignatureJobInput,
  validateStatusChangeMessage,
  validateStatusPollerInput,
  validateUnownedJobInput,
  type PostenSignatureJobInput,
} from '../../../src/contract/posten-signering';

/** A checksum-valid Norwegian fødselsnummer and Swedish personnummer (synthetic; only their shape matters). */
export const NORWEGIAN_ID = '01019000083';
export const SWEDISH_ID = '900101-1239';

const content: BlobRef = { sha256: 'a'.repeat(64), size: 10 };
const valid = (): PostenSignatureJobInput => ({
  sender: '123456789',
  reference: 'ref-1',
  title: 'Contract',
  documents: [{ title: 'Contract', fileName: 'c.pdf', content }],
  signers: [{ personalIdentificationNumber: NORWEGIAN_ID, notifications: { email: 'a@example.com' } }],
});
const paths = (problems: { path: string }[]): string[] => problems.map((p) => p.path);

describe('posten signering validation: the signature-job input', () => {
  it('accepts a valid job (a signer may carry a national identity number: it never becomes a key)', () => {
    assert.deepEqual(validateSignatureJobInput(valid()), []);
  });

  for (const [label, input] of [
    ['null', null],
    ['a string', 'job'],
    ['an array', [valid()]],
    ['a number', 7],
  ] as const) {
    it(`refuses ${label} as a whole, without throwing`, () => {
      assert.deepEqual(paths(validateSignatureJobInput(input)), ['']);
    });
  }

  it('refuses references that are national identity numbers (Norwegian or Swedish), naming the field only', () => {
    for (const reference of [NORWEGIAN_ID, `order-${NORWEGIAN_ID}`, SWEDISH_ID, `19${SWEDISH_ID.replace('-', '')}`]) {
      const problems = validateSignatureJobInput({ ...valid(), reference });
      assert.deepEqual(paths(problems), ['/reference'], reference);
      assert.match(problems[0].problem, /national identity number/);
      assert.ok(!JSON.stringify(problems).includes(reference));
    }
    assert.deepEqual(
      validateSignatureJobInput({ ...valid(), reference: '12345678901' }),
      [],
      'no checksum, no refusal',
    );
  });

  it('refuses impossible calendar dates and times that Date.parse would roll over', () => {
    for (const activationTime of [
      '2027-02-30T10:00:00Z',
      '2027-02-29T10:00:00+01:00',
      '2027-04-31T10:00:00Z',
      '2027-01-01T24:00:00Z',
      '2027-01-01T10:60:00Z',
      '2027-01-01T10:00:00+15:00',
      '2027-01-01 10:00',
      '2027-01-01T10:00:00',
    ]) {
      const problems = validateSignatureJobInput({ ...valid(), availability: { activationTime } });
      assert.deepEqual(paths(problems), ['/availability/activationTime'], activationTime);
    }
    assert.equal(parseDateTime('2028-02-29T10:00:00+01:00'), Date.parse('2028-02-29T09:00:00Z'), 'a leap day exists');
  });

  it('refuses an activation too far ahead and availabilities Posten refuses (0, negative, fractions, > 90 days)', () => {
    const farAhead = new Date(Date.now() + 400 * 86_400_000).toISOString();
    assert.deepEqual(paths(validateSignatureJobInput({ ...valid(), availability: { activationTime: farAhead } })), [
      '/availability/activationTime',
    ]);
    for (const availableSeconds of [0, -1, 1.5, 7_776_001, '3600', null]) {
      const input = { ...valid(), availability: { availableSeconds } } as unknown;
      assert.deepEqual(
        paths(validateSignatureJobInput(input)),
        ['/availability/availableSeconds'],
        String(availableSeconds),
      );
    }
    assert.deepEqual(validateSignatureJobInput({ ...valid(), availability: { availableSeconds: 7_776_000 } }), []);
  });

  it('refuses malformed nested fields without throwing', () => {
    const input = {
      ...valid(),
      documents: [null, { title: 'x', fileName: 'y', content: 'not a ref' }],
      signers: [7, { notifications: 'a@example.com' }],
      availability: 'tomorrow',
    } as unknown;
    const found = paths(validateSignatureJobInput(input));
    for (const p of [
      '/documents/0',
      '/documents/1/content',
      '/signers/0',
      '/signers/1/notifications',
      '/availability',
    ]) {
      assert.ok(found.includes(p), `${p} in ${found.join(', ')}`);
    }
  });

  it('refuses a forged resume state field by field', () => {
    const forged = {
      ...valid(),
      resume: {
        createUncertain: 'yes',
        jobStatus: 'DONE',
        signers: [{ index: 5, order: 0, status: 'SIGNED' }, { index: 0 }],
        seenChangeKeys: 'all',
        duplicateJobs: [{ signatureJobId: 'x', outcome: 'IGNORED', status: 'FAILED' }],
        cancelRequested: false,
        cancelAttempted: false,
        cancelledBySender: false,
        changesProcessed: -1,
        redeliveriesRecognised: 0,
        deadlineAt: 'never',
        pendingChanges: [{ signatureJobId: '1', status: 'FAILED' }],
        pades: { sha256: 'short', size: 1 },
      },
    };
    const found = paths(validateSignatureJobInput(forged));
    for (const p of [
      '/resume/createUncertain',
      '/resume/jobStatus',
      '/resume/signers/0/index',
      '/resume/signers',
      '/resume/seenChangeKeys',
      '/resume/duplicateJobs/0/signatureJobId',
      '/resume/duplicateJobs/0/outcome',
      '/resume/changesProcessed',
      '/resume/deadlineAt',
      '/resume/pendingChanges/0/confirmationUrl',
      '/resume/pades',
    ]) {
      assert.ok(found.includes(p), `${p} in ${found.join(', ')}`);
    }
    assert.deepEqual(paths(validateSignatureJobInput({ ...valid(), resume: null })), ['/resume']);
  });
});

describe('posten signering validation: poller, unowned job and messages', () => {
  it('bounds the poller: drain size 1-1000, counters non-negative, sender 9 digits, no reserved queue', () => {
    assert.deepEqual(validateStatusPollerInput({ sender: '123456789' }), []);
    for (const maxChangesPerDrain of [0, -5, 1001, 2.5, '100']) {
      assert.deepEqual(paths(validateStatusPollerInput({ sender: '123456789', maxChangesPerDrain })), [
        '/maxChangesPerDrain',
      ]);
    }
    assert.deepEqual(paths(validateStatusPollerInput({ sender: '123456789', pollingQueue: '_default' })), [
      '/pollingQueue',
    ]);
    assert.deepEqual(paths(validateStatusPollerInput({ sender: '12345678' })), ['/sender']);
    assert.deepEqual(paths(validateStatusPollerInput({ sender: '123456789', carried: { polls: -1 } })), [
      '/carried/polls',
      '/carried/changesDispatched',
      '/carried/changesToUnowned',
      '/carried/runs',
    ]);
  });

  it('checks the unowned-job input and its carried state; a reference echoed by Posten is not a key', () => {
    const input = { sender: '123456789', signatureJobId: '42', policy: 'HOLD' };
    assert.deepEqual(validateUnownedJobInput(input), []);
    assert.deepEqual(validateUnownedJobInput({ ...input, reference: NORWEGIAN_ID }), []);
    assert.deepEqual(paths(validateUnownedJobInput({ ...input, policy: 'IGNORE' })), ['/policy']);
    assert.deepEqual(paths(validateUnownedJobInput({ ...input, signatureJobId: '../42' })), ['/signatureJobId']);
    assert.ok(paths(validateUnownedJobInput({ ...input, resume: { xades: [7] } })).includes('/resume/xades/0'));
  });

  it('checks signal and update arguments', () => {
    const change = {
      signatureJobId: '42',
      status: 'IN_PROGRESS',
      confirmationUrl: 'https://posten.test/c',
      signatures: [{ status: 'SIGNED', since: 't' }],
      receivedAt: 't',
    };
    assert.deepEqual(validateStatusChangeMessage({ change }), []);
    assert.deepEqual(paths(validateStatusChangeMessage(null)), ['']);
    assert.deepEqual(paths(validateStatusChangeMessage({ change: { ...change, signatures: [null] } })), [
      '/change/signatures/0',
    ]);
    assert.deepEqual(paths(validateStatusChangeMessage({ change: { ...change, status: 'DONE' } })), ['/change/status']);
    assert.deepEqual(validateCancelMessage(undefined), []);
    assert.deepEqual(validateCancelMessage({ reason: 'customer withdrew' }), []);
    assert.deepEqual(paths(validateCancelMessage({ reason: 7 })), ['/reason']);
    const action = validateActionMessage(['CONFIRM']);
    assert.deepEqual(action({ action: 'CONFIRM' }), []);
    assert.deepEqual(paths(action({ action: 'DELETE' })), ['/action']);
    assert.deepEqual(paths(action(null)), ['/action']);
  });
});
