import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A port that was free a moment ago (for servers that cannot be told to pick port 0, like Temporal or Postgres). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const port = await tryListen(0, host);
  if (port === undefined) throw new Error(`no free port on ${host}`);
  return port;
}

/**
 * A free port below the kernel's ephemeral range, for Temporal's membership ports: the SQL cluster_membership table
 * stores them as smallint, so the server refuses anything above 32767.
 */
export async function freeLowPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await tryListen(randomInt(10_000, 32_768), host);
    if (port !== undefined) return port;
  }
  throw new Error(`no free port between 10000 and 32767 on ${host}`);
}
