import type { TypeStateRow } from './store';

/**
 * The values of one `type_state` row in column order (huvudman, step, watermark, last_pass, last_kind, last_status,
 * last_error, pages, fetched, stored, invalid, deleted, finished_at), as both SQL stores write it. `time` turns the
 * ISO times into what the database compares.
 */
export function typeStateParams(
  huvudman: string,
  row: TypeStateRow,
  time: (iso: string | undefined) => string | null = (iso) => iso ?? null,
): (string | number | null)[] {
  const o = row.outcome;
  return [
    huvudman,
    row.step,
    time(row.watermark),
    row.passNumber,
    row.kind,
    o.status,
    // Type and message only: failure messages never carry personal data.
    o.error ? `${o.error.type}: ${o.error.message}` : null,
    o.pages,
    o.fetched,
    o.stored,
    o.invalid,
    o.deleted,
    time(o.finishedAt),
  ];
}
