import type { RunningSimulator, SimulatorStartOptions } from '../../platform/integration';

/** Ports from the dev stack's block: load balancer, token endpoint, then one per proxy instance. */
const SIMULATED_INSTANCES = 3;

/**
 * The dev stack's Sign'Stash simulator. Loaded lazily (`await import`) so that a production worker, which never starts
 * a simulator, never loads its code either.
 */
export async function startSignstashSimulator(options: SimulatorStartOptions): Promise<RunningSimulator> {
  const { SignstashSimulator } = await import('../../simulators/signstash/index.js');
  const port = (offset: number): number => (options.basePort === 0 ? 0 : options.basePort + offset);
  const sim = await SignstashSimulator.start({
    host: options.host,
    dataDir: options.dataDir,
    lbPort: port(0),
    tokenPort: port(1),
    instances: Array.from({ length: SIMULATED_INSTANCES }, (_, i) => ({ listenPort: port(2 + i) })),
  });
  options.logger.info("Sign'Stash simulator running", { loadBalancer: sim.baseUrl, instances: sim.instanceUrls() });
  return {
    title: "Sign'Stash sim",
    urls: {
      loadBalancer: sim.baseUrl,
      token: sim.tokenUrl,
      ...Object.fromEntries(sim.instanceUrls().map((url, i) => [`instance${i}`, url])),
    },
    env: sim.env(),
    stop: () => sim.stop(),
  };
}
