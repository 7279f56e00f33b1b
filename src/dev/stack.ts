import path from 'node:path';
import { codecAccessFromEnv, type CodecAccess } from '../codec/auth/codec-auth';
import { startCodecServer, type RunningCodecServer } from '../codec/codec-server';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec';
import { defaultKeyFilePath, ensureKeyFile, loadKeyRing } from '../codec/key-ring';
import { envInt, envOptional, type Env } from '../config/env';
import { loadFerjeConfig } from '../config/ferje-config';
import { startDocumentsApiFromEnv } from '../documents/run-api';
import { startIngress, type RunningIngress } from '../ingress/server';
import type { Logger } from '../logging/logger';
import { installFerjeRuntime } from '../metrics/runtime';
import { createPlatform, type Platform } from '../platform/context';
import type { IntegrationModule, RunningSimulator } from '../platform/integration';
import { selectIntegrations } from '../platform/registry';
import { locateTemporalBinary } from '../temporal-bin/locate';
import { workflowSource } from '../worker/bundle';
import { startWorkers, type RunningWorkers } from '../worker/workers';
import { ensureSearchAttributes } from './search-attributes';
import { startTemporalDevServer, type RunningDevServer } from './temporal-dev-server';

export interface DevStackOptions {
  env: Env;
  logger: Logger;
  integrations?: string[];
  /** Run the workers in this process (default true). */
  worker?: boolean;
}

export interface DevStack {
  platform: Platform;
  integrations: IntegrationModule[];
  temporalAddress: string;
  uiUrl: string;
  codecUrl: string;
  ingressUrl: string;
  documentsUrl: string;
  simulators: RunningSimulator[];
  /** The environment a separate Ferje process would need to join this stack. */
  env: Env;
  uiLink: (workflowId: string) => string;
  describe(): string;
  stop(): Promise<void>;
}

/**
 * Everything Ferje needs on one machine: the Temporal dev server (persistent database, UI with the codec endpoint,
 * search attributes), the codec server, the simulators, the ingress and the workers. Stops in reverse order.
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const { logger } = options;
  const config = loadFerjeConfig(options.env);
  const env: Env = { ...options.env };
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stoppers.reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.warn('stop failed', { error: (err as Error).message });
      }
    }
    stoppers.length = 0;
  };

  try {
    if (!envOptional(env, 'FERJE_CODEC_KEYS') && !envOptional(env, 'FERJE_CODEC_KEY_FILE')) {
      const keyFile = defaultKeyFilePath(config.dataDir);
      if (await ensureKeyFile(keyFile)) logger.info('created a local development key', { keyFile });
    }
    const keyRing = loadKeyRing(env, config.dataDir);

    const temporalPort = envInt(env, 'FERJE_DEV_TEMPORAL_PORT', 7233, { max: 65535 });
    const uiPort = envInt(env, 'FERJE_DEV_UI_PORT', 8233, { max: 65535 });
    // The dev stack alone may run the codec server open, and only on loopback (startCodecServer refuses otherwise);
    // configure FERJE_CODEC_TOKEN_FILE or an OIDC issuer to try authentication locally.
    const codecAccess: CodecAccess = codecAccessFromEnv(env, logger) ?? { kind: 'open-dev-loopback' };
    const codec: RunningCodecServer = await startCodecServer({
      access: codecAccess,
      codec: new AesGcmPayloadCodec(keyRing),
      host: config.codecServer.host,
      port: config.codecServer.port,
      // The UI this stack starts must always be allowed, whatever port it was given.
      corsOrigins: [...config.codecServer.corsOrigins, `http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
      logger: logger.child('codec'),
    });
    stoppers.push(() => codec.close());

    const namespace = envOptional(env, 'TEMPORAL_NAMESPACE') ?? 'default';
    const cli = locateTemporalBinary('cli', { env: process.env });
    const server: RunningDevServer = await startTemporalDevServer({
      cliPath: cli.path,
      dbFilename: path.join(config.dataDir, 'temporal', 'dev.db'),
      ip: envOptional(env, 'FERJE_DEV_TEMPORAL_IP') ?? '127.0.0.1',
      port: temporalPort,
      uiPort,
      namespace,
      codecEndpoint: codec.url,
      logFile: path.join(config.dataDir, 'temporal', 'dev-server.log'),
    });
    stoppers.push(() => server.stop());
    env.TEMPORAL_ADDRESS = server.address;
    env.TEMPORAL_NAMESPACE = namespace;

    const integrations = selectIntegrations(options.integrations);
    const simulators: RunningSimulator[] = [];
    const simulatorBasePort = envInt(env, 'FERJE_DEV_SIMULATOR_BASE_PORT', 8100, { max: 65000 });
    for (const [index, integration] of integrations.entries()) {
      if (!integration.startSimulator) continue;
      const simulator = await integration.startSimulator({
        host: '127.0.0.1',
        basePort: simulatorBasePort === 0 ? 0 : simulatorBasePort + index * 10,
        dataDir: path.join(config.dataDir, 'simulators', integration.name),
        logger: logger.child(`simulator.${integration.name}`),
        ingressBaseUrl: config.ingress.publicBaseUrl,
      });
      simulators.push(simulator);
      stoppers.push(() => simulator.stop());
      Object.assign(env, simulator.env);
    }

    const platform = await createPlatform(env, logger);
    stoppers.push(() => platform.close());
    await ensureSearchAttributes(platform.client.connection, namespace);

    const ingress: RunningIngress = await startIngress({
      client: platform.client,
      routes: integrations.flatMap((i) => i.ingressRoutes?.(platform) ?? []),
      host: config.ingress.host,
      port: config.ingress.port,
      maxBodyBytes: config.ingress.maxBodyBytes,
      logger: logger.child('ingress'),
    });
    stoppers.push(() => ingress.close());

    // Open on loopback unless FERJE_DOCUMENTS_KEYS_FILE is set; the summary below says which.
    const documents = await startDocumentsApiFromEnv(env, config, platform.client, logger.child('documents'), true);
    stoppers.push(() => documents.close());

    if (options.worker !== false) {
      installRuntimeOnce(logger, env);
      const workers: RunningWorkers = await startWorkers({
        temporal: platform.temporal,
        ctx: platform,
        keyRing,
        integrations,
        source: workflowSource(config.production),
        shutdownGraceTime: config.worker.shutdownGraceTime,
      });
      stoppers.push(() => workers.shutdown());
    }

    const uiLink = (workflowId: string): string =>
      `${server.uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
    return {
      platform,
      integrations,
      temporalAddress: server.address,
      uiUrl: server.uiUrl,
      codecUrl: codec.url,
      ingressUrl: ingress.url,
      documentsUrl: documents.url,
      simulators,
      env,
      uiLink,
      describe: () =>
        [
          `Temporal server   ${server.address} (namespace ${namespace}, data ${path.join(config.dataDir, 'temporal', 'dev.db')})`,
          `Temporal UI       ${server.uiUrl}`,
          `Codec server      ${codec.url}  (the UI decrypts payloads through it; ${
            codecAccess.kind === 'open-dev-loopback'
              ? 'OPEN: no authentication, loopback only'
              : `bearer credential required, namespaces ${codecAccess.namespaces.join(', ')}`
          })`,
          `Ingress           ${ingress.url}  (webhooks; /health/live, /health/ready)`,
          `Documents API     ${documents.url}  ${documents.open ? '(OPEN: no authentication, loopback only; set FERJE_DOCUMENTS_KEYS_FILE to require API keys)' : '(API keys)'}`,
          `Workers           ${options.worker === false ? 'not started' : integrations.map((i) => i.taskQueue).join(', ') || 'none'}`,
          ...simulators.map((s) => `${s.title.padEnd(17)} ${Object.values(s.urls).join('  ')}`),
        ].join('\n'),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

let runtimeInstalled = false;
/** The dev stack stops workers itself, in order, so the Runtime must not react to signals on its own. */
function installRuntimeOnce(logger: Logger, env: Env): void {
  if (runtimeInstalled) return;
  const { metricsUrl } = installFerjeRuntime({ env, logger, shutdownSignals: [] });
  if (metricsUrl) logger.info('serving Prometheus metrics', { url: metricsUrl });
  runtimeInstalled = true;
}
