import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultTransportLimitBytes,
  digitalMessageProblems,
  transportFileProblems,
  validateInboxInput,
} from '../../../src/contract/eformidling';
import { parseDataSize } from '../../../src/modules/eformidling/config';
import { digitalBusinessMessage } from '../../workflows/eformidling/harness';
import { nextNotTakenWaitMs, sendEvidenceWindowMs, sendWasTaken } from '../../../workflows/eformidling/send-evidence';

const paths = (problems: { path: string }[]): string[] => problems.map((p) => p.path);
const digital = digitalBusinessMessage;

describe('eFormidling: the IP rules Ferje checks itself (pure)', () => {
  it('DPI: a title for every file but the primary document and the metadata files', () => {
    const files = [{ fileName: 'brev.pdf' }, { fileName: 'brev.xml' }, { fileName: 'vedlegg.pdf' }];
    const business = { ...digital, metadataFiler: { 'brev.pdf': 'brev.xml' } };
    assert.deepEqual(paths(transportFileProblems(files, 'digital', business, 'DPI')), ['/files/2/title']);
    files[2] = { fileName: 'vedlegg.pdf', title: 'Vedlegg' } as (typeof files)[number];
    assert.deepEqual(transportFileProblems(files, 'digital', business, 'DPI'), []);
  });

  it('DPI digital: metadataFiler may name only files of the message (the IP: 404 FileNotFoundException)', () => {
    const files = [{ fileName: 'brev.pdf' }];
    const business = { ...digital, metadataFiler: { 'brev.pdf': 'brev.xml' } };
    assert.deepEqual(paths(transportFileProblems(files, 'digital', business, 'DPI')), [
      '/businessMessage/metadataFiler',
    ]);
  });

  it('DPV: every file needs a title; DPO does not ask', () => {
    const files = [{ fileName: 'arkivmelding.xml', title: 'A' }, { fileName: 'a.pdf' }];
    assert.deepEqual(paths(transportFileProblems(files, 'arkivmelding', {}, 'DPV')), ['/files/1/title']);
    assert.deepEqual(transportFileProblems(files, 'arkivmelding', {}, 'DPO'), []);
  });

  it('digital needs sikkerhetsnivaa, tittel, spraak and digitalPostInfo (the IP: ConstraintViolationException)', () => {
    assert.deepEqual(digitalMessageProblems(digital), []);
    assert.deepEqual(paths(digitalMessageProblems({ hoveddokument: 'x', digitalPostInfo: {} })), [
      '/businessMessage/sikkerhetsnivaa',
      '/businessMessage/tittel',
      '/businessMessage/spraak',
      '/businessMessage/digitalPostInfo/virkningsdato',
      '/businessMessage/digitalPostInfo/aapningskvittering',
    ]);
  });

  it("an inbox filter's serviceIdentifier must be a constant of the IP's enum (no DPFIO, case-sensitive)", () => {
    const inbox = (serviceIdentifier: string) => ({
      inboxName: 'main',
      consumer: { kind: 'child', workflowType: 'eformidlingStoreIncoming' },
      filter: { serviceIdentifier },
    });
    const ctx = { nowMs: 0, continued: false };
    assert.deepEqual(validateInboxInput(inbox('DPO'), ctx), []);
    for (const bad of ['DPFIO', 'dpo'])
      assert.deepEqual(paths(validateInboxInput(inbox(bad), ctx)), ['/filter/serviceIdentifier'], bad);
  });

  it('transport limits are binary DataSizes: 50MB is 52 428 800 bytes', () => {
    assert.equal(defaultTransportLimitBytes.DPI, 52_428_800);
    assert.equal(defaultTransportLimitBytes.DPO, 1_073_741_824);
    assert.equal(defaultTransportLimitBytes.DPV, 262_144_000);
    assert.equal(parseDataSize('50MB'), 52_428_800);
    assert.equal(parseDataSize('1GB'), 1_073_741_824);
    assert.equal(parseDataSize('52428800'), 52_428_800);
    assert.equal(parseDataSize('0'), undefined);
    assert.equal(parseDataSize('50 MiB'), undefined);
  });

  it('send evidence: a status after OPPRETTET or the outbox row gone; waits and window', () => {
    assert.equal(sendWasTaken({ inOutbox: true, statuses: [{ status: 'OPPRETTET' }] }), false);
    assert.equal(sendWasTaken({ inOutbox: true, statuses: [{ status: 'OPPRETTET' }, { status: 'SENDT' }] }), true);
    assert.equal(sendWasTaken({ inOutbox: true, statuses: [{ status: 'FEIL' }] }), true);
    assert.equal(sendWasTaken({ inOutbox: false, statuses: [{ status: 'OPPRETTET' }] }), true);
    assert.equal(sendEvidenceWindowMs(undefined), 15 * 60_000);
    assert.equal(sendEvidenceWindowMs({ sendEvidenceWindow: '2 seconds' }), 2000);
    assert.deepEqual([undefined, 2000, 32_000, 60_000].map(nextNotTakenWaitMs), [2000, 4000, 60_000, 60_000]);
  });
});
