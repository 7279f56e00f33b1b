import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSchemaFiles, schemasDir } from './schema-generation';

/** `npm run schemas`: rewrites schemas/ from the contract (a unit test fails when they are stale). */
async function main(): Promise<void> {
  const files = generateSchemaFiles();
  await mkdir(schemasDir, { recursive: true });
  for (const stale of await readdir(schemasDir)) {
    if (!(stale in files)) await rm(path.join(schemasDir, stale));
  }
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(schemasDir, name), content);
  console.log(`wrote ${Object.keys(files).length} files to ${schemasDir}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
