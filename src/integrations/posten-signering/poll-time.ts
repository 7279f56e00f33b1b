/**
 * `X-Next-permitted-poll-time`. Posten's Java client reads it with `ZonedDateTime.parse(value, ISO_DATE_TIME)`
 * (signature-api-client-java, `ClientHelper.getNextPermittedPollTime`), so the server may send anything that accepts:
 * `2026-11-26T12:00:00+01:00`, `…Z`, seconds left out (`…T12:00+01:00`), 1–9 fractional digits (.NET emits seven),
 * an offset with seconds (`+01:00:00`), and a `[Zone/Id]` suffix after the offset or instead of it
 * (`2026-11-26T12:00:00+01:00[Europe/Oslo]`, `2026-11-26T12:00:00[Europe/Oslo]`). As in Java: the offset decides the
 * instant when both are given; a zone alone resolves the local time by that zone's rules (in a DST overlap the earlier
 * offset, in a gap the time moves forward); `T`, `Z` and the offset are case-insensitive; the date and time are
 * checked strictly (no 30 February, no hour 24); an unknown zone, or no offset and no zone, is refused.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2}(?::\d{2})?)?(?:\[([^\]]+)\])?$/;

export function parsePollTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const m = ISO_DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', offsetText, zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second) + Number(fraction.padEnd(3, '0').slice(0, 3));
  if (offsetText !== undefined) {
    const offset = offsetMs(offsetText);
    if (offset === undefined || (zone !== undefined && !isKnownZone(zone))) return undefined;
    return local - offset;
  }
  if (zone === undefined) return undefined;
  const fixed = zoneOffsetMs(zone);
  if (fixed !== undefined) return local - fixed;
  if (!isKnownZone(zone)) return undefined;
  return local - offsetForLocal(zone, local);
}

/** Formats like Posten's Java server: local time with offset, milliseconds. */
export function formatPollTime(epochMs: number, offsetMinutes = 60): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().replace('Z', '');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `Z`, `+HH:MM` or `+HH:MM:SS`, at most ±18:00 as `ZoneOffset` allows. */
function offsetMs(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const [hh, mm, ss = '0'] = text.slice(1).split(':');
  const [hours, minutes, seconds] = [hh, mm, ss].map(Number);
  if (minutes > 59 || seconds > 59) return undefined;
  const total = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  if (total > 18 * 3600_000) return undefined;
  return text.startsWith('-') ? -total : total;
}

/** Zone IDs that are fixed offsets (`Z`, `UTC`, `GMT`, `UT`, optionally followed by an offset). */
function zoneOffsetMs(zone: string): number | undefined {
  const m = /^(?:Z|UTC|GMT|UT)?([+-]\d{2}:\d{2}(?::\d{2})?)?$/.exec(zone);
  if (!m || zone === '') return undefined;
  return m[1] ? offsetMs(m[1]) : 0;
}

function isKnownZone(zone: string): boolean {
  if (zoneOffsetMs(zone) !== undefined) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone);
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, from the runtime's time-zone database. */
function offsetAt(zone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(epochMs);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * The offset Java's `ZonedDateTime.ofLocal` picks for a local time in a zone: the one valid offset; in an overlap the
 * earlier (larger) one; in a gap the offset before the transition (the local time then moves forward by the gap).
 */
function offsetForLocal(zone: string, local: number): number {
  const before = offsetAt(zone, local - 86_400_000);
  const after = offsetAt(zone, local + 86_400_000);
  const valid = [...new Set([before, after])].filter((o) => offsetAt(zone, local - o) === o);
  if (valid.length > 0) return Math.max(...valid);
  return before;
}
