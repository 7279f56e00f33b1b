import type { ServerResponse } from 'node:http';
import { setImmediate as yieldToOtherRequests } from 'node:timers/promises';

/** Entities serialised between two turns of the event loop. */
const SLICE = 250;

/**
 * A list page, `{"data":[…], …rest}`, byte for byte what `JSON.stringify` makes of it, written a slice of entities at a
 * time with a turn of the event loop in between. Why: a huvudman's API serves requests side by side, but this
 * simulator is one JavaScript thread; built in one step, a 2 500-entity page held every other request to it (a
 * client's `POST /log` entries among them) for the 10-20 ms it took, a wait no real server imposes. The answer itself
 * is the same (chunked instead of with a Content-Length, as servers that stream their pages send it).
 */
export async function sendListPage(
  res: ServerResponse,
  body: { data: unknown[] } & Record<string, unknown>,
): Promise<void> {
  const { data, ...rest } = body;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"data":[');
  for (let i = 0; i < data.length; i += SLICE) {
    if (i > 0) await yieldToOtherRequests();
    if (res.destroyed) return;
    const slice = data.slice(i, i + SLICE).map((entity) => JSON.stringify(entity));
    res.write((i > 0 ? ',' : '') + slice.join(','));
  }
  const tail = JSON.stringify(rest);
  res.end(tail === '{}' ? ']}' : `],${tail.slice(1)}`);
}
