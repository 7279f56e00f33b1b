import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createSignstashActivities } from '../../../activities/signstash';
import { FsBlobStore } from '../../../src/blobs/fs-blob-store';
import { ferjeDataConverter } from '../../../src/codec/data-converter';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import { createLogger } from '../../../src/logging/logger';
import { createFerjeWorker } from '../../../src/worker/workers';
import { testKeyRing } from '../../harness/keys';
import { productionWorkflowSource } from '../../harness/worker';

/**
 * A Sign'Stash worker in its own process, so a test can kill it with SIGKILL mid-operation. Env: WORKER_ADDRESS,
 * WORKER_TASK_QUEUE, FERJE_DATA_DIR (blobs, shared with its successor) and the SIGNSTASH_* settings.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const address = process.env.WORKER_ADDRESS!;
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const config = loadFerjeConfig(process.env);
  const activities = createSignstashActivities({
    config,
    env: process.env,
    client: new Client({ connection: clientConnection, dataConverter: ferjeDataConverter(testKeyRing()) }),
    namespace: 'default',
    blobStore: new FsBlobStore(path.join(config.dataDir, 'blobs')),
    logger: createLogger('signstash-worker', 'WARN'),
  });
  const worker = await createFerjeWorker({
    connection,
    namespace: 'default',
    taskQueue: process.env.WORKER_TASK_QUEUE!,
    activities,
    source: await productionWorkflowSource(),
    keyRing: testKeyRing(),
    shutdownGraceTime: '2s',
  });
  await worker.runUntil(async () => {
    console.log('ready');
    await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  });
  await clientConnection.close();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
