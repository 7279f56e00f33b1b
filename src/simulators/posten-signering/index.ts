import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logging/logger';
import { FaultPlan } from './faults';
import { PostenModel, type PostenModelState } from './model';
import { PersistedState } from '../persistence';
import { defaultRules, type AutopilotSettings, type PostenSimulatorRules } from './options';
import { startApiServer } from './server';
import { startControlServer } from './control';
import { createTestPki } from './test-pki';
import { sealKeystore } from './seal';
import type { EnterpriseKeystore } from '../../integrations/posten-signering/keystore';

export { PostenModel } from './model';
export { FaultPlan } from './faults';
export type { PostenSimulatorRules, AutopilotSettings, FaultRule } from './options';

export interface PostenSimulatorOptions {
  host?: string;
  /** API on `port`, control endpoints on `port + 1`; 0 = free ports. */
  port?: number;
  /** Where the test PKI (CA, server certificate, the senders' PKCS#12 files) is written and reused. */
  dataDir: string;
  logger: Logger;
  /** false = plain HTTP, no client certificates (quick tests). Default true. */
  mutualTls?: boolean;
  /**
   * Keep jobs, queues and deliveries in `dataDir/state.json` across restarts, as Posten keeps them (default true).
   * Only a bench that measures Ferje's own cost may turn it off.
   */
  persistState?: boolean;
  /** Senders that get an enterprise certificate (PKCS#12) in `dataDir`. */
  senders: string[];
  rules?: Partial<PostenSimulatorRules>;
  autopilot?: AutopilotSettings;
}

export interface RunningPostenSimulator {
  model: PostenModel;
  faults: FaultPlan;
  rootUrl: string;
  controlUrl: string;
  /** Client settings (POSTEN_SIGNERING_*) that point Ferje at this simulator. The first sender's keystore is used. */
  env: Record<string, string>;
  /** PKCS#12 file of each sender. */
  keystores: Record<string, string>;
  stop(): Promise<void>;
}

export const SIMULATOR_KEYSTORE_PASSPHRASE = 'ferje-simulator';

/** Starts the simulated Posten signering API (HTTPS with mutual TLS by default) and its control endpoints. */
export async function startPostenSimulator(options: PostenSimulatorOptions): Promise<RunningPostenSimulator> {
  const host = options.host ?? '127.0.0.1';
  const mutualTls = options.mutualTls !== false;
  const model = new PostenModel({ ...defaultRules, ...options.rules });
  await mkdir(options.dataDir, { recursive: true });
  const stateFile = path.join(options.dataDir, 'state.json');
  const saved = options.persistState === false ? undefined : PersistedState.load<PostenModelState>(stateFile);
  if (saved) model.importState(saved);
  if (options.autopilot) model.autopilot = options.autopilot;
  const persisted =
    options.persistState === false ? undefined : new PersistedState(stateFile, () => model.exportState());
  const faults = new FaultPlan();
  const pki = await loadOrCreatePki(options.dataDir, options.senders);
  model.seal = pki.seal;
  const api = await startApiServer({
    model,
    faults,
    host,
    port: options.port ?? 0,
    logger: options.logger,
    tls: mutualTls ? { keyPem: pki.serverKeyPem, certPem: pki.serverCertPem, caPem: pki.caPem } : undefined,
  });
  const control = await startControlServer({
    model,
    faults,
    host,
    port: options.port ? options.port + 1 : 0,
  });
  const ticker = setInterval(() => model.tick(), 250);
  ticker.unref();
  const env: Record<string, string> = {
    POSTEN_SIGNERING_BASE_URL: api.rootUrl,
    POSTEN_SIGNERING_KEYSTORE_FILE: pki.keystores[options.senders[0]],
    POSTEN_SIGNERING_KEYSTORE_PASSPHRASE: SIMULATOR_KEYSTORE_PASSPHRASE,
    POSTEN_SIGNERING_TRUSTED_ROOTS_FILE: pki.caFile,
    POSTEN_SIGNERING_SIMULATOR_CONTROL_URL: control.url,
  };
  return {
    model,
    faults,
    rootUrl: api.rootUrl,
    controlUrl: control.url,
    env,
    keystores: pki.keystores,
    async stop() {
      clearInterval(ticker);
      await Promise.all([api.close(), control.close()]);
      persisted?.close();
      model.stop();
    },
  };
}

interface StoredPki {
  caPem: string;
  caFile: string;
  serverKeyPem: string;
  serverCertPem: string;
  seal: EnterpriseKeystore;
  keystores: Record<string, string>;
}

/** Reuses the PKI in `dataDir` across restarts (so a configured Ferje keeps trusting it); creates what is missing. */
async function loadOrCreatePki(dataDir: string, senders: string[]): Promise<StoredPki> {
  const caFile = path.join(dataDir, 'test-ca.pem');
  const serverKeyFile = path.join(dataDir, 'server-key.pem');
  const serverCertFile = path.join(dataDir, 'server-cert.pem');
  const sealKeyFile = path.join(dataDir, 'seal-key.pem');
  const sealCertFile = path.join(dataDir, 'seal-cert.pem');
  const keystores = Object.fromEntries(senders.map((s) => [s, path.join(dataDir, `enterprise-${s}.p12`)]));
  const files = [caFile, serverKeyFile, serverCertFile, sealKeyFile, sealCertFile, ...Object.values(keystores)];
  if (files.every((f) => existsSync(f))) {
    const caPem = await readFile(caFile, 'utf8');
    return {
      caPem,
      caFile,
      serverKeyPem: await readFile(serverKeyFile, 'utf8'),
      serverCertPem: await readFile(serverCertFile, 'utf8'),
      seal: sealKeystore(await readFile(sealKeyFile, 'utf8'), await readFile(sealCertFile, 'utf8'), caPem),
      keystores,
    };
  }
  const pki = createTestPki();
  await writeFile(caFile, pki.caCertPem);
  await writeFile(serverKeyFile, pki.server.keyPem, { mode: 0o600 });
  await writeFile(serverCertFile, pki.server.certPem);
  await writeFile(sealKeyFile, pki.seal.keyPem, { mode: 0o600 });
  await writeFile(sealCertFile, pki.seal.certPem);
  for (const sender of senders) {
    await writeFile(keystores[sender], pki.enterprise(sender, SIMULATOR_KEYSTORE_PASSPHRASE), { mode: 0o600 });
  }
  return {
    caPem: pki.caCertPem,
    caFile,
    serverKeyPem: pki.server.keyPem,
    serverCertPem: pki.server.certPem,
    seal: sealKeystore(pki.seal.keyPem, pki.seal.certPem, pki.caCertPem),
    keystores,
  };
}
