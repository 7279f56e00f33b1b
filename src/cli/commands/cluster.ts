import path from 'node:path';
import { parseArgs } from 'node:util';
import { readClusterState, clusterIsRunning, startCluster, stopCluster } from '../../cluster/topology';
import { defaultServerPorts } from '../../cluster/temporal-server';
import { envInt, envOptional } from '../../config/env';
import { loadFerjeConfig } from '../../config/ferje-config';
import { UsageError, type CliCommand } from '../command';

const usage = 'ferje cluster up|down|status [--dir D] [--port 7233] [--postgres-port 5432]';

/**
 * docker-compose.yml's Temporal cluster without Docker: Postgres and the Temporal server run in the background from
 * binaries built once into .tools/, so workers on this and other machines can use TEMPORAL_ADDRESS.
 */
export const clusterCommand: CliCommand = {
  name: 'cluster',
  usage,
  description: 'Start/stop a self-hosted Temporal cluster natively (Postgres + Temporal server, as in compose)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        port: { type: 'string' },
        'postgres-port': { type: 'string' },
      },
    });
    const [action] = positionals;
    const env = process.env;
    const dir = path.resolve(
      values.dir ?? envOptional(env, 'FERJE_CLUSTER_DIR') ?? path.join(loadFerjeConfig(env).dataDir, 'cluster'),
    );
    const port = values.port ? Number(values.port) : envInt(env, 'FERJE_CLUSTER_PORT', 7233, { max: 65535 });
    const postgresPort = values['postgres-port']
      ? Number(values['postgres-port'])
      : envInt(env, 'FERJE_CLUSTER_POSTGRES_PORT', 5432, { max: 65535 });
    if (!Number.isInteger(port) || !Number.isInteger(postgresPort)) throw new UsageError('ports must be integers');

    switch (action) {
      case 'up': {
        const cluster = await startCluster({
          dir,
          ports: { ...defaultServerPorts, frontendGrpc: port },
          postgresPort,
          postgresPassword: envOptional(env, 'POSTGRES_PASSWORD'),
          log: (line) => console.log(`cluster: ${line}`),
        });
        console.log(
          [
            `Temporal ${cluster.version} is running at ${cluster.address} (namespace ${cluster.namespace}).`,
            `Postgres ${cluster.postgres.host}:${cluster.postgres.port}, data in ${cluster.postgres.dir}`,
            `Server log: ${cluster.serverLog}`,
            `Workers: TEMPORAL_ADDRESS=${cluster.address} npx ferje worker`,
            `Stop: npx ferje cluster down${values.dir ? ` --dir ${dir}` : ''}`,
          ].join('\n'),
        );
        return 0;
      }
      case 'down': {
        const stopped = await stopCluster(dir);
        console.log(stopped ? `Stopped the cluster in ${dir}` : `No cluster recorded in ${dir}`);
        return 0;
      }
      case 'status': {
        const state = readClusterState(dir);
        if (!state) {
          console.log(`No cluster recorded in ${dir}`);
          return 1;
        }
        const up = clusterIsRunning(state);
        console.log(
          `${up ? 'running' : 'NOT running'}: Temporal ${state.version} at ${state.address}, pid ${state.serverPid}`,
        );
        return up ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown action "${action ?? ''}"`);
    }
  },
};
