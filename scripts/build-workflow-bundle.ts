import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildWorkflowBundle, defaultBundlePath } from '../src/worker/bundle';
import { productionBundleCode } from '../src/worker/prebuilt-bundle';

/** Writes dist/workflow-bundle.js: what production workers load and what the replay tests check. */
async function main(): Promise<void> {
  const started = Date.now();
  // Stack traces keep their original files and lines; the map's copy of every source file is left out (it costs
  // every worker memory, twice: prebuilt-bundle.ts).
  const code = productionBundleCode((await buildWorkflowBundle()).code);
  await mkdir(path.dirname(defaultBundlePath), { recursive: true });
  await writeFile(defaultBundlePath, code);
  console.log(
    `workflow bundle: ${defaultBundlePath} (${(code.length / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)`,
  );
}

// Exit non-zero on failure: a deploy must never ship a missing or stale bundle.
main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
