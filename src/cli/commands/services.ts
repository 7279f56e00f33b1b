import { AesGcmPayloadCodec } from '../../codec/aes-gcm-codec';
import { requireCodecAccess } from '../../codec/auth/codec-auth';
import { startCodecServer } from '../../codec/codec-server';
import { loadKeyRing } from '../../codec/key-ring';
import { loadFerjeConfig } from '../../config/ferje-config';
import { startIngress } from '../../ingress/server';
import { connectIngressClient, installIngressRuntime } from '../../ingress/temporal-client';
import { createLogger } from '../../logging/logger';
import { createHttpServerMetrics, serveMetrics } from '../../metrics/http-server-metrics';
import { setupTracing } from '../../tracing/tracing';
import { createPlatform } from '../../platform/context';
import { integrations } from '../../platform/registry';
import { waitForShutdownSignal, type CliCommand } from '../command';

export const ingressCommand: CliCommand = {
  name: 'ingress',
  usage: 'ferje ingress',
  description: 'Run the webhook ingress (FERJE_INGRESS_HOST/PORT) against TEMPORAL_ADDRESS',
  async run() {
    const logger = createLogger('ingress');
    setupTracing(process.env, 'ferje-ingress', logger);
    const platform = await createPlatform(process.env, logger);
    const { config } = platform;
    installIngressRuntime(logger);
    const temporal = await connectIngressClient({ env: process.env, keyRing: platform.keyRing });
    const metrics = createHttpServerMetrics('ingress');
    const metricsServer = await serveMetrics(process.env, metrics.registry, logger);
    const ingress = await startIngress({
      metrics,
      client: temporal.client,
      routes: integrations.flatMap((i) => i.ingressRoutes?.(platform) ?? []),
      host: config.ingress.host,
      port: config.ingress.port,
      maxBodyBytes: config.ingress.maxBodyBytes,
      logger,
    });
    await waitForShutdownSignal();
    await ingress.close();
    await temporal.close();
    await metricsServer?.close();
    await platform.close();
    return 0;
  },
};

export const codecServerCommand: CliCommand = {
  name: 'codec-server',
  usage: 'ferje codec-server',
  description:
    'Run the codec server for the Temporal UI and CLI (FERJE_CODEC_SERVER_HOST/PORT, FERJE_CODEC_CORS_ORIGINS; ' +
    'credentials: FERJE_CODEC_TOKEN_FILE and/or FERJE_CODEC_OIDC_ISSUER/AUDIENCE, FERJE_CODEC_NAMESPACES)',
  async run() {
    const logger = createLogger('codec');
    const config = loadFerjeConfig();
    const server = await startCodecServer({
      access: requireCodecAccess(process.env, logger),
      codec: new AesGcmPayloadCodec(loadKeyRing(process.env, config.dataDir)),
      host: config.codecServer.host,
      port: config.codecServer.port,
      corsOrigins: config.codecServer.corsOrigins,
      logger,
    });
    await waitForShutdownSignal();
    await server.close();
    return 0;
  },
};
