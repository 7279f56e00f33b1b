#!/usr/bin/env node
// Runs the compiled CLI when it exists (production image), otherwise (or with FERJE_CLI_SOURCES=1, as `npm run ferje`
// does) the TypeScript sources through tsx. Started through bin/ferje, which makes a worker's process settings.
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
const compiled =
  process.env.FERJE_CLI_SOURCES !== '1' && fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'main.js'));
// bin/ferje starts the sources with tsx's loader (dynamic imports included); started directly, at least require().
if (!compiled && !process.execArgv.includes('tsx')) require('tsx/cjs');
const src = compiled ? path.join(root, 'dist', 'src') : path.join(root, 'src');
// Before any command loads the Temporal SDK: a worker with the prebuilt bundle never loads the bundler.
require(path.join(src, 'worker', 'deferred-bundler'));
// A worker process loads only the worker (the CLI's other commands and their libraries cost it memory for nothing);
// `ferje worker` takes no arguments (src/cli/commands/worker.ts).
const run =
  process.argv[2] === 'worker' && process.argv.length === 3
    ? () =>
        require(path.join(src, 'worker', 'main'))
          .runWorkerProcess()
          .then(() => 0)
    : () => require(path.join(src, 'cli', 'main')).main(process.argv.slice(2));
run().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exit(1);
  },
);
