/**
 * `X-Next-permitted-poll-time`: ISO-8601 with an offset. Java parses it with ISO_DATE_TIME, .NET emits seven
 * fractional digits (`2024-05-01T12:00:30.0000000+02:00`), which `Date.parse` does not accept, so fractions are
 * trimmed to milliseconds first.
 */
export function parsePollTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const normalised = value.trim().replace(/(\.\d{3})\d+/, '$1');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(normalised)) return undefined;
  const ms = Date.parse(normalised);
  return isNaN(ms) ? undefined : ms;
}

/** Formats like Posten's Java server: local time with offset, milliseconds. */
export function formatPollTime(epochMs: number, offsetMinutes = 60): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().replace('Z', '');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
