import { startDevStack } from '../../../src/dev/stack';
import { envOptional } from '../../../src/config/env';
import { DEMO_SENDER } from '../../../src/modules/posten-signering/demo';
import { loadSignstashConfig } from '../../../src/modules/signstash/config';
import { createLogger } from '../../../src/logging/logger';

/**
 * Ferje as a caller on another machine meets it: the embedded stack (its own Temporal server, simulators, workers and
 * documents API with API keys) in its own process and data folder. Prints one JSON line with what a caller is told
 * (addresses, task queues' partner settings) and stops on SIGTERM.
 */
async function main(): Promise<void> {
  const logger = createLogger('stack', 'WARN');
  const stack = await startDevStack({
    env: process.env,
    logger,
    integrations: ['postenSignering', 'eformidling', 'signstash'],
  });
  const [clientServiceId] = [...loadSignstashConfig(stack.env).credentials.keys()];
  console.log(
    `STACK ${JSON.stringify({
      temporalAddress: stack.temporalAddress,
      documentsUrl: stack.documentsUrl,
      postenSender: DEMO_SENDER,
      postenControlUrl: envOptional(stack.env, 'POSTEN_SIGNERING_SIMULATOR_CONTROL_URL'),
      // Plays the sending organisation of an incoming message (a real integrasjonspunkt receives it from DPO).
      eformidlingControlUrl: `${envOptional(stack.env, 'EFORMIDLING_BASE_URL')}/_control`,
      signstashClientServiceId: clientServiceId,
    })}`,
  );
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await stack.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
