import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startCluster } from '../../src/cluster/topology';
import { freeServerPorts } from '../../src/cluster/temporal-server';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { locateTemporalBinary } from '../../src/temporal-bin/locate';
import { testKeyRing } from '../../test/harness/keys';
import { processCpuSeconds } from '../common/proc';

/**
 * Which Temporal server the bench measures against (`SCALE_SERVER`):
 * - `dev` (default): the CLI's dev server in memory. One history shard and one SQLite connection (the CLI's fixed
 *   settings), so every write of the whole server is serialised; cheap to start, and what the other parts measure.
 * - `cluster`: the production topology natively (`ferje cluster up`: the server built from go.temporal.io/server with
 *   compose's settings, 4 history shards, Postgres with its defaults, fsync on), as docker-compose.yml deploys it.
 */
export type BenchServerKind = 'dev' | 'cluster';

export interface BenchServer {
  kind: BenchServerKind;
  address: string;
  namespace: string;
  client: Client;
  /** CPU seconds (user + system) the server's processes have used so far (server and, for the cluster, Postgres). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export function benchServerKind(env: NodeJS.ProcessEnv = process.env): BenchServerKind {
  const kind = env.SCALE_SERVER ?? 'dev';
  if (kind !== 'dev' && kind !== 'cluster') throw new Error(`SCALE_SERVER must be dev or cluster, not ${kind}`);
  return kind;
}

/**
 * The scale bench's own Temporal server. The dev server runs in memory: the bench measures Ferje, and a dev server's
 * SQLite file serialises every write behind an fsync that a production cluster does not have. Banners and logs go to
 * files in `dir`: stdout carries only the result line.
 */
export async function startBenchServer(dir: string, kind: BenchServerKind = 'dev'): Promise<BenchServer> {
  const started = kind === 'dev' ? await startDev(dir) : await startProductionCluster(dir);
  const connection = await Connection.connect({ address: started.address });
  return {
    kind,
    address: started.address,
    namespace: started.namespace,
    client: new Client({
      connection,
      namespace: started.namespace,
      dataConverter: ferjeDataConverter(testKeyRing()),
    }),
    cpuSeconds: () => started.pids().reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    async stop() {
      await connection.close();
      await started.stop();
    },
  };
}

interface StartedServer {
  address: string;
  namespace: string;
  pids(): number[];
  stop(): Promise<void>;
}

async function startDev(dir: string): Promise<StartedServer> {
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
  const pid = server.process.pid;
  return {
    address: server.address,
    namespace: 'default',
    pids: () => (pid === undefined ? [] : [pid]),
    stop: () => server.stop(),
  };
}

async function startProductionCluster(dir: string): Promise<StartedServer> {
  // Postgres runs as its own user when we are root: it must be able to pass through the bench's directory.
  chmodSync(dir, 0o711);
  const cluster = await startCluster({
    dir: path.join(dir, 'cluster'),
    ports: await freeServerPorts(),
    postgresPort: await freePort(),
  });
  const postmaster = Number(
    readFileSync(path.join(cluster.postgresServer.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  return {
    address: cluster.address,
    namespace: cluster.namespace,
    // Postgres forks a backend per connection: the postmaster and its children at the moment of reading.
    pids: () => [cluster.serverPid, postmaster, ...childrenOf(postmaster)],
    stop: () => cluster.stop(),
  };
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) children.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return children;
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
