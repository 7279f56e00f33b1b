import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { businessKey } from '../../../src/contract/workflow-ids';
import {
  containsNationalIdentityNumber,
  isNorwegianIdentityNumber,
  isSwedishIdentityNumber,
} from '../../../src/contract/personal-data';

// Synthetic numbers computed with the published algorithms (no real person's number).
function norwegian(prefix9: string): string {
  const d = [...prefix9].map(Number);
  const k = (w: number[], ds: number[]): number => {
    const r = 11 - (w.reduce((a, x, i) => a + x * ds[i], 0) % 11);
    return r === 11 ? 0 : r;
  };
  const k1 = k([3, 7, 6, 1, 8, 9, 4, 5, 2], d);
  const k2 = k([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], [...d, k1]);
  return `${prefix9}${k1}${k2}`;
}
function swedish(prefix9: string): string {
  let sum = 0;
  [...prefix9].map(Number).forEach((v, i) => {
    let x = v * (i % 2 === 0 ? 2 : 1);
    if (x > 9) x -= 9;
    sum += x;
  });
  return `${prefix9}${(10 - (sum % 10)) % 10}`;
}
// Pick individual numbers whose check digits are not 10 (those prefixes have no valid number).
function validNorwegian(datePart: string): string {
  for (let i = 100; i < 999; i++) {
    const n = norwegian(`${datePart}${i}`);
    if (n.length === 11 && isNorwegianIdentityNumber(n)) return n;
  }
  throw new Error('no number');
}

describe('national identity numbers in references', () => {
  it('recognises checksum-valid Norwegian numbers, D- and H-numbers and synthetic test numbers', () => {
    for (const date of ['010180', '410180', '014180', '018180']) {
      const n = validNorwegian(date);
      assert.equal(isNorwegianIdentityNumber(n), true, date);
      assert.equal(containsNationalIdentityNumber(`ref-${n}`), true, date);
    }
  });

  it('recognises Swedish personnummer in 10- and 12-digit forms, with a separator and samordningsnummer', () => {
    const p = swedish('811218987');
    assert.equal(isSwedishIdentityNumber(p), true);
    assert.equal(containsNationalIdentityNumber(p), true);
    assert.equal(containsNationalIdentityNumber(`${p.slice(0, 6)}-${p.slice(6)}`), true);
    assert.equal(containsNationalIdentityNumber(`19${p}`), true);
    assert.equal(containsNationalIdentityNumber(swedish('811278987')), true, 'samordningsnummer (day + 60)');
  });

  it('lets ordinary references through: wrong check digits, impossible dates, organisation numbers, UUIDs', () => {
    const n = validNorwegian('010180');
    const wrong = `${n.slice(0, 10)}${(Number(n[10]) + 1) % 10}`;
    assert.equal(containsNationalIdentityNumber(wrong), false);
    assert.equal(containsNationalIdentityNumber('991825827'), false, 'organisation number');
    assert.equal(containsNationalIdentityNumber('invoice-2026-000123'), false);
    assert.equal(containsNationalIdentityNumber('ff2a7c1e-1b0e-4a55-9d1c-201801011234'), false);
    assert.equal(containsNationalIdentityNumber(swedish('813318987')), false, 'month 33');
  });

  it('businessKey refuses a segment that is a national identity number, without echoing it', () => {
    const n = validNorwegian('010180');
    assert.throws(
      () => businessKey('posten-job', '991825827', n),
      (err: Error) => /national identity number/.test(err.message) && !err.message.includes(n),
    );
    assert.equal(businessKey('posten-job', '991825827', 'ref-1'), 'posten-job/991825827/ref-1');
  });
});
