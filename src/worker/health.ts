import { access, constants } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { ConfigError, envOptional, type Env } from '../config/env';
import { closeServer, listen, sendJson } from '../http/server-utils';
import { evaluateReadiness, type ReadinessCheck } from '../http/readiness';
import type { Logger } from '../logging/logger';
import type { Platform } from '../platform/context';
import type { RunningWorkers } from './workers';

/**
 * `/health/live` and `/health/ready` of a worker process on FERJE_HEALTH_ADDRESS (host:port; unset: none). Ready
 * means every task queue's worker is running, Temporal answers, and the blob directory is writable; otherwise the
 * answer lists what is missing.
 */
export async function serveWorkerHealth(
  env: Env,
  platform: Platform,
  running: RunningWorkers,
  logger: Logger,
): Promise<{ url: string; close(): Promise<void> } | undefined> {
  const raw = envOptional(env, 'FERJE_HEALTH_ADDRESS');
  if (!raw) return undefined;
  const match = /^(.+):(\d{1,5})$/.exec(raw);
  if (!match) throw new ConfigError(`FERJE_HEALTH_ADDRESS must be host:port, got "${raw}"`);
  const checks: ReadinessCheck[] = [
    ...running.workers.map((worker) => ({
      name: `worker ${worker.options.taskQueue}`,
      check: () =>
        Promise.resolve(worker.getState() === 'RUNNING' ? undefined : `worker is ${worker.getState().toLowerCase()}`),
    })),
    {
      name: 'temporal',
      check: () =>
        platform.client.workflowService.getSystemInfo({}).then(
          () => undefined,
          (err: unknown) => `Temporal frontend unreachable (${(err as Error).name})`,
        ),
    },
    {
      name: 'blob store',
      check: () =>
        access(platform.config.blobDir, constants.W_OK).then(
          () => undefined,
          () => `blob directory ${platform.config.blobDir} is not writable`,
        ),
    },
    ...running.readinessChecks,
  ];
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health/live') {
      sendJson(res, 200, { status: 'live' });
    } else if (req.method === 'GET' && req.url === '/health/ready') {
      void evaluateReadiness(checks).then((r) => sendJson(res, r.status === 'ready' ? 200 : 503, r));
    } else {
      sendJson(res, 404, { error: 'GET /health/live or /health/ready' });
    }
  });
  const port = await listen(server, match[1].replace(/^\[|\]$/g, ''), Number(match[2]));
  const url = `http://${match[1]}:${port}`;
  logger.info('serving worker health', { url });
  return { url, close: () => closeServer(server) };
}
