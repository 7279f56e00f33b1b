import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPollTime, parsePollTime } from '../../../src/integrations/posten-signering/poll-time';

/** Every form Posten's Java client accepts (`ZonedDateTime.parse(value, ISO_DATE_TIME)`), and what it refuses. */
describe('X-Next-permitted-poll-time: the ISO_DATE_TIME forms of the Java client', () => {
  const at = (iso: string) => Date.parse(iso);

  it('an offset', () => {
    assert.equal(parsePollTime('2026-11-26T12:00:00+01:00'), at('2026-11-26T11:00:00Z'));
    assert.equal(parsePollTime('2026-11-26T12:00:00-03:30'), at('2026-11-26T15:30:00Z'));
  });

  it('Z (either case), and a lower-case T', () => {
    assert.equal(parsePollTime('2026-11-26T11:00:00Z'), at('2026-11-26T11:00:00Z'));
    assert.equal(parsePollTime('2026-11-26t11:00:00z'), at('2026-11-26T11:00:00Z'));
  });

  it('fractional seconds, 1 to 9 digits (.NET writes seven)', () => {
    assert.equal(parsePollTime('2026-11-26T12:00:00.5+01:00'), at('2026-11-26T11:00:00.500Z'));
    assert.equal(parsePollTime('2026-11-26T12:00:00.123+01:00'), at('2026-11-26T11:00:00.123Z'));
    assert.equal(parsePollTime('2024-05-01T12:00:30.0000000+02:00'), at('2024-05-01T10:00:30Z'));
    assert.equal(parsePollTime('2026-11-26T12:00:00.123456789Z'), at('2026-11-26T12:00:00.123Z'));
    assert.equal(parsePollTime('2026-11-26T12:00:00.1234567890Z'), undefined, 'ten digits');
  });

  it('seconds left out, and an offset with seconds', () => {
    assert.equal(parsePollTime('2026-11-26T12:00+01:00'), at('2026-11-26T11:00:00Z'));
    assert.equal(parsePollTime('2026-11-26T12:00:00+01:00:30'), at('2026-11-26T10:59:30Z'));
  });

  it('an offset with a [Zone/Id] suffix: the offset decides the instant', () => {
    assert.equal(parsePollTime('2026-11-26T12:00:00+01:00[Europe/Oslo]'), at('2026-11-26T11:00:00Z'));
    assert.equal(parsePollTime('2026-07-01T12:00:00.250+02:00[Europe/Oslo]'), at('2026-07-01T10:00:00.250Z'));
    assert.equal(parsePollTime('2026-11-26T11:00:00Z[UTC]'), at('2026-11-26T11:00:00Z'));
  });

  it('a [Zone/Id] without an offset: the zone rules give the offset (winter, summer, overlap, gap)', () => {
    assert.equal(parsePollTime('2026-11-26T12:00:00[Europe/Oslo]'), at('2026-11-26T11:00:00Z'));
    assert.equal(parsePollTime('2026-07-01T12:00:00[Europe/Oslo]'), at('2026-07-01T10:00:00Z'));
    // 25 October 2026, 02:30 happens twice in Oslo: Java takes the earlier offset (+02:00).
    assert.equal(parsePollTime('2026-10-25T02:30:00[Europe/Oslo]'), at('2026-10-25T00:30:00Z'));
    // 29 March 2026, 02:30 does not exist in Oslo: Java moves it forward by the gap (03:30+02:00).
    assert.equal(parsePollTime('2026-03-29T02:30:00[Europe/Oslo]'), at('2026-03-29T01:30:00Z'));
    assert.equal(parsePollTime('2026-11-26T12:00:00[UTC+01:00]'), at('2026-11-26T11:00:00Z'));
  });

  it('refuses what Java refuses: no offset or zone, an unknown zone, impossible dates and times, garbage', () => {
    for (const value of [
      '2026-11-26T12:00:00',
      '2026-11-26T12:00:00+01:00[Nowhere/Atlantis]',
      '2026-11-26T12:00:00[Nowhere/Atlantis]',
      '2026-02-30T12:00:00Z',
      '2026-11-26T24:00:00Z',
      '2026-11-26T12:60:00Z',
      '2026-11-26T12:00:00+19:00',
      '2026-11-26T12:00:00+0100',
      '2026-11-26 12:00:00Z',
      'tomorrow',
      '',
    ]) {
      assert.equal(parsePollTime(value), undefined, value);
    }
  });

  it('reads back what the simulator writes', () => {
    assert.equal(parsePollTime(formatPollTime(1_700_000_000_123, 60)), 1_700_000_000_123);
    assert.equal(parsePollTime(formatPollTime(1_700_000_000_123, -330)), 1_700_000_000_123);
  });
});
