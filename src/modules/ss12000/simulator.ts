import type { RunningSimulator, SimulatorStartOptions } from '../../platform/integration';

/**
 * The simulator as `ferje dev` runs it: the huvudman API, nutid stand-in and the env that points Ferje at them.
 * Loaded lazily so that a production worker never loads simulator code.
 */
export async function startSs12000Simulator(options: SimulatorStartOptions): Promise<RunningSimulator> {
  const { Ss12000Simulator } = await import('../../simulators/ss12000/server.js');
  const sim = await new Ss12000Simulator({
    host: options.host,
    port: options.basePort,
    logger: options.logger,
    dataDir: options.dataDir,
  }).start();
  return {
    title: 'SS12000 huvudman',
    urls: { api: `${sim.url}/hm/<name>`, control: `${sim.url}/control`, jwks: `${sim.url}/.well-known/jwks.json` },
    env: {
      SS12000_TOKEN_URL: `${sim.url}/transaction`,
      SS12000_WEBHOOK_JWKS_URL: `${sim.url}/.well-known/jwks.json`,
      SS12000_WEBHOOK_ISSUER: sim.issuer.issuerUrl,
      SS12000_WEBHOOK_AUDIENCE: sim.issuer.audience,
      SS12000_WEBHOOK_LOCATION: sim.clientLocation,
      SS12000_SIMULATOR_URL: sim.url,
      // Ferje calls only configured partner endpoints: here, every huvudman the simulator serves.
      SS12000_API_ALLOWED_URLS: `${sim.url}/hm/`,
    },
    stop: () => sim.stop(),
  };
}
