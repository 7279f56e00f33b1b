import { randomBytes } from 'node:crypto';
import type { IntegrationModule } from '../../platform/integration';

type StartSimulator = NonNullable<IntegrationModule['startSimulator']>;

/** The dev stack's integrasjonspunkt: the simulator is imported here, on demand, never by a production worker. */
export const startSimulator: StartSimulator = async (options) => {
  const { startEformidlingSimulator } = await import('../../simulators/eformidling/server.js');
  const sim = await startEformidlingSimulator({
    host: options.host,
    port: options.basePort,
    dataDir: options.dataDir,
    logger: options.logger,
    settings: {
      stepDelayMs: 1000,
      expiryCheckMs: 5000,
      statusQueueIncludes: ['DPO', 'DPF', 'DPV', 'DPI', 'DPE'],
    },
  });
  return {
    title: 'eFormidling IP',
    urls: { api: sim.url, control: `${sim.url}/_control/state` },
    env: {
      EFORMIDLING_BASE_URL: sim.url,
      EFORMIDLING_WEBHOOK_TOKEN: randomBytes(24).toString('base64url'),
      EFORMIDLING_INBOX_ENABLED: 'true',
      EFORMIDLING_INBOX_POLL_INTERVAL: '15 seconds',
    },
    stop: () => sim.stop(),
  };
};
