import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDuration, checkInteger, checkKeySegment, InputProblems } from '../../../src/contract/input-rules';

describe('input rules', () => {
  it('refuses durations outside their bounds and unparsable ones, naming only the path', () => {
    const p = new InputProblems();
    const bounds = { minMs: 1000, maxMs: 3_600_000 };
    assert.equal(checkDuration(p, '/a', '0 seconds', bounds), undefined);
    assert.equal(checkDuration(p, '/b', 'soon', bounds), undefined);
    assert.equal(checkDuration(p, '/c', null, bounds), undefined);
    assert.equal(checkDuration(p, '/d', '30 seconds', bounds), 30_000);
    assert.equal(checkDuration(p, '/e', 5000, bounds), 5000);
    assert.equal(checkDuration(p, '/f', undefined, { ...bounds, optional: true }), undefined);
    assert.deepEqual(
      p.list.map((x) => x.path),
      ['/a', '/b', '/c'],
    );
    assert.match(p.list[0].problem, /from 1 second\(s\) to 1 hour\(s\)/);
  });

  it('refuses non-integers, zero and out-of-range limits', () => {
    const p = new InputProblems();
    checkInteger(p, '/drain', 0, { min: 1, max: 100 });
    checkInteger(p, '/x', 1.5, { min: 1, max: 100 });
    checkInteger(p, '/y', '5', { min: 1, max: 100 });
    assert.equal(checkInteger(p, '/z', 7, { min: 1, max: 100 }), 7);
    assert.equal(p.list.length, 3);
  });

  it('key segments: safe alphabet, bounded, never a national identity number', () => {
    const p = new InputProblems();
    checkKeySegment(p, '/ref', 'a/b');
    checkKeySegment(p, '/ref2', '');
    checkKeySegment(p, '/ref3', 'x'.repeat(129));
    assert.equal(checkKeySegment(p, '/ok', 'case-2026.17'), 'case-2026.17');
    assert.deepEqual(
      p.list.map((x) => x.path),
      ['/ref', '/ref2', '/ref3'],
    );
  });
});
