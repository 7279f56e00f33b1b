import Module from 'node:module';

/**
 * The SDK's worker module (`@temporalio/worker/lib/worker`, and the package index through it) requires its workflow
 * bundler when it loads, and with it webpack's entry and memfs/unionfs: about 100 modules and 4 MB of RSS in every
 * worker, though only a worker that bundles workflow code at start-up (development) ever calls it. Production loads
 * the prebuilt bundle (src/worker/bundle.ts).
 *
 * Importing this module first puts a stand-in for the bundler into Node's module cache whose exports load the real
 * bundler on first access. Both SDK modules read the bundler's exports only when they are used (`bundler_1.x` at call
 * time, the index through getters), so `bundleWorkflowCode` works unchanged wherever it is called. Relies on the
 * SDK's module layout of 1.24.0 (pinned exactly); test/unit/lazy-integrations.test.ts checks the stand-in's names
 * against the real module and that the production worker loads no bundler.
 */

/** Every export of `@temporalio/worker/lib/workflow/bundler` in 1.24.0. */
export const bundlerExports = [
  'WorkflowCodeBundler',
  'bundleWorkflowCode',
  'moduleMatches',
  'defaultWorkflowInterceptorModules',
  'allowedBuiltinModules',
  'disallowedBuiltinModules',
  'disallowedModules',
] as const;

const bundlerPath = require.resolve('@temporalio/worker/lib/workflow/bundler');

function deferBundler(): void {
  if (require.cache[bundlerPath]) return; // already loaded (or deferred): nothing to save
  let real: Record<string, unknown> | undefined;
  const load = (): Record<string, unknown> => {
    if (!real) {
      // A module of its own, not through require(): the cache entry for this path is the stand-in. load() sets the
      // module's filename and search paths as require() would.
      const bundler = new Module(bundlerPath, module) as Module & { load(filename: string): void };
      bundler.load(bundlerPath);
      real = bundler.exports as Record<string, unknown>;
    }
    return real;
  };
  const standIn = new Module(bundlerPath, module);
  standIn.filename = bundlerPath;
  standIn.loaded = true;
  const lazy: Record<string, unknown> = {};
  Object.defineProperty(lazy, '__esModule', { value: true });
  for (const name of bundlerExports) {
    Object.defineProperty(lazy, name, { enumerable: true, get: () => load()[name] });
  }
  standIn.exports = lazy;
  require.cache[bundlerPath] = standIn;
}

deferBundler();
