import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
      EFORMIDLING_WEBHOOK_TOKEN: await stableWebhookToken(options.dataDir),
      EFORMIDLING_INBOX_ENABLED: 'true',
      EFORMIDLING_INBOX_POLL_INTERVAL: '15 seconds',
    },
    stop: () => sim.stop(),
  };
};

/**
 * The dev stack's webhook path token, kept in the simulator's data folder: the subscription registered at the
 * (simulated) integrasjonspunkt names the push URL, so a new token on every start would orphan it after a restart.
 */
async function stableWebhookToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'webhook-token');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (/^[A-Za-z0-9_-]{32,128}$/.test(existing)) return existing;
  } catch {
    // first start: create it below
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
