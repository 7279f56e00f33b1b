import { spawnSync } from 'node:child_process';
import { locateTemporalBinary } from '../temporal-bin/locate';
import { clusterSettings } from './settings';

export class ClusterOneShotError extends Error {
  override readonly name = 'ClusterOneShotError';
}

interface CliRun {
  status: number | null;
  output: string;
}

function cli(address: string, args: string[]): CliRun {
  const temporal = locateTemporalBinary('cli').path;
  // No envconfig profile or TEMPORAL_* variable of the caller's may point this one-shot elsewhere.
  const result = spawnSync(temporal, [...args, '--address', address, '--disable-config-file', '--disable-config-env'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function retry(what: string, attempt: () => CliRun, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = attempt();
    if (run.status === 0) return run.output;
    if (Date.now() > deadline) throw new ClusterOneShotError(`${what} failed: ${run.output.trim()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * compose's temporal-namespace and temporal-search-attributes one-shots, with the Temporal CLI Ferje installs:
 * the namespace with the cluster's retention, then the contract's search attributes, each only if missing.
 * Returns once the namespace answers visibility queries, so workers and clients can start at once.
 */
export async function registerNamespaceAndSearchAttributes(
  address: string,
  namespace: string = clusterSettings.namespace,
): Promise<{ createdNamespace: boolean; createdSearchAttributes: string[] }> {
  const exists = cli(address, ['operator', 'namespace', 'describe', '-n', namespace]).status === 0;
  if (!exists) {
    await retry(`creating namespace ${namespace}`, () =>
      cli(address, ['operator', 'namespace', 'create', '-n', namespace, '--retention', clusterSettings.retention]),
    );
  }
  const listed = await retry(`listing search attributes of ${namespace}`, () =>
    cli(address, ['operator', 'search-attribute', 'list', '-n', namespace]),
  );
  const created: string[] = [];
  for (const sa of clusterSettings.searchAttributes) {
    if (new RegExp(`\\b${sa.name}\\b`).test(listed)) continue;
    await retry(`creating search attribute ${sa.name}`, () =>
      cli(address, ['operator', 'search-attribute', 'create', '-n', namespace, '--name', sa.name, '--type', sa.type]),
    );
    created.push(sa.name);
  }
  await retry(`querying workflows of ${namespace}`, () =>
    cli(address, ['workflow', 'list', '-n', namespace, '--limit', '1']),
  );
  return { createdNamespace: !exists, createdSearchAttributes: created };
}
