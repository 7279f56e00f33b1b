import { createServer } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { testKeyRing } from '../../test/harness/keys';

/**
 * The scale bench's own Temporal dev server, in memory: the bench measures Ferje, and a dev server's SQLite file
 * serialises every write behind an fsync that a production cluster does not have. The banner goes to a log file:
 * stdout carries only the result line.
 */
export async function startBenchServer(dir: string): Promise<{
  address: string;
  client: Client;
  stop(): Promise<void>;
}> {
  const server = await startTemporalDevServer({
    cliPath: locateTemporalBinary('cli').path,
    // An empty name is the CLI's own default: in memory.
    dbFilename: '',
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    namespace: 'default',
    logFile: path.join(dir, 'temporal.log'),
  });
  const connection = await Connection.connect({ address: server.address });
  return {
    address: server.address,
    client: new Client({ connection, dataConverter: ferjeDataConverter(testKeyRing()) }),
    async stop() {
      await connection.close();
      await server.stop();
    },
  };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
