export interface CliCommand {
  name: string;
  usage: string;
  description: string;
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Resolves on the first SIGINT/SIGTERM, or when this process's parent goes away (a process supervisor that stops
 * `npm run dev` may end npm without the signal reaching us; an orphaned stack would keep its ports). A second signal
 * exits at once (the operator means it).
 */
export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const orphanCheck = setInterval(() => {
      if (process.ppid !== parent) onSignal('SIGHUP');
    }, 1000);
    orphanCheck.unref();
    const onSignal = (signal: NodeJS.Signals): void => {
      clearInterval(orphanCheck);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = (): never => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
