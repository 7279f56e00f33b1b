import { existsSync } from 'node:fs';
import path from 'node:path';
import { envBool, envInt, envList, envOptional, envString, type Env } from './env';

/** Process-level settings shared by the worker, ingress, codec server, CLI and dev stack. */
export interface FerjeConfig {
  /** Root of everything Ferje keeps on disk by default: blobs, the dev server's database, dev keys, stores. */
  dataDir: string;
  blobDir: string;
  /** Directory of the project (where package.json lives), used to find the prebuilt workflow bundle. */
  projectDir: string;
  production: boolean;
  ingress: { host: string; port: number; publicBaseUrl: string; maxBodyBytes: number };
  codecServer: { host: string; port: number; corsOrigins: string[]; publicUrl: string };
  worker: {
    shutdownGraceTime: string;
    integrations: string[] | undefined;
    /** Workflow threads shared by all of the process's task queues; 0 runs workflow code on the main thread. */
    workflowThreads: number;
    /** Sticky cache size of each task queue's worker (workflows kept in memory between tasks). */
    maxCachedWorkflows: number;
    /** The SDK's workflow stack traces (the `__stack_trace` query): half of the workflow thread's CPU when on. */
    workflowStackTraces: boolean;
  };
  ui: { baseUrl: string };
}

/** The folder with package.json, whether running from sources (src/) or from the compiled image (dist/src/). */
export const projectDir = findProjectDir(__dirname);

function findProjectDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
}

export function loadFerjeConfig(env: Env = process.env): FerjeConfig {
  const dataDir = path.resolve(envString(env, 'FERJE_DATA_DIR', path.join(projectDir, '.ferje')));
  const ingressPort = envInt(env, 'FERJE_INGRESS_PORT', 8090, { max: 65535 });
  const codecPort = envInt(env, 'FERJE_CODEC_SERVER_PORT', 8091, { max: 65535 });
  const uiBaseUrl = envString(env, 'FERJE_UI_BASE_URL', 'http://localhost:8233');
  const workerIntegrations = envOptional(env, 'FERJE_WORKER_INTEGRATIONS');
  return {
    dataDir,
    blobDir: path.resolve(envString(env, 'FERJE_BLOB_DIR', path.join(dataDir, 'blobs'))),
    projectDir,
    production: env.NODE_ENV === 'production',
    ingress: {
      host: envString(env, 'FERJE_INGRESS_HOST', '127.0.0.1'),
      port: ingressPort,
      publicBaseUrl: envString(env, 'FERJE_INGRESS_PUBLIC_URL', `http://127.0.0.1:${ingressPort}`).replace(/\/$/, ''),
      maxBodyBytes: envInt(env, 'FERJE_INGRESS_MAX_BODY_BYTES', 1024 * 1024, { min: 1024 }),
    },
    codecServer: {
      host: envString(env, 'FERJE_CODEC_SERVER_HOST', '127.0.0.1'),
      port: codecPort,
      corsOrigins: envList(env, 'FERJE_CODEC_CORS_ORIGINS', [uiBaseUrl, 'http://127.0.0.1:8233']),
      publicUrl: envString(env, 'FERJE_CODEC_SERVER_PUBLIC_URL', `http://127.0.0.1:${codecPort}`).replace(/\/$/, ''),
    },
    worker: {
      shutdownGraceTime: envString(env, 'FERJE_SHUTDOWN_GRACE_TIME', '30s'),
      integrations: workerIntegrations?.split(',').map((s) => s.trim()),
      // Sizes measured by bench/scale (docs/cost-and-scale.md): each workflow thread holds its own V8 isolate with
      // the SDK's modules and the bundle (about 40-50 MB); 0 runs workflow code on the main thread, where an
      // activation (about 3 ms, at most a few hundred on a loaded machine) briefly holds up the activities' I/O.
      // Each cached workflow costs about 1.7 MB, and a miss costs a replay of its history.
      workflowThreads: envInt(env, 'FERJE_WORKFLOW_THREADS', 0, { min: 0, max: 16 }),
      maxCachedWorkflows: envInt(env, 'FERJE_MAX_CACHED_WORKFLOWS', 50, { min: 0 }),
      workflowStackTraces: envBool(env, 'FERJE_WORKFLOW_STACK_TRACES', false),
    },
    ui: { baseUrl: uiBaseUrl.replace(/\/$/, '') },
  };
}
