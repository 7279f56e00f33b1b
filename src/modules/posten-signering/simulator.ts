import type { RunningSimulator, SimulatorStartOptions } from '../../platform/integration';
import { DEMO_SENDER } from './demo';

/** The dev stack's Posten simulator, loaded on demand so that a production worker never loads simulator code. */
export async function startSimulator(options: SimulatorStartOptions): Promise<RunningSimulator> {
  const { startPostenSimulator } = await import('../../simulators/posten-signering/index.js');
  const sim = await startPostenSimulator({
    host: options.host,
    port: options.basePort,
    dataDir: options.dataDir,
    logger: options.logger,
    senders: [DEMO_SENDER],
    // Posten's test environments permit the next poll 5-30 s after an empty queue; production waits 10 minutes.
    rules: { emptyQueuePollDelayMs: 5_000 },
  });
  return {
    title: 'Posten signering',
    urls: { api: sim.rootUrl, control: `${sim.controlUrl}/control/jobs` },
    env: { ...sim.env, POSTEN_SIGNERING_POLLERS: DEMO_SENDER },
    stop: () => sim.stop(),
  };
}
