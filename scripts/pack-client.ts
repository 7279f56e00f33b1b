import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../src/config/ferje-config';

/**
 * Builds the `@ferje/client` package from src/client/index.ts and packs it with `npm pack`:
 *   npm run pack:client [-- <destination folder>]     prints the tarball's path
 * Only what that entry reaches is compiled (contract, client helpers, codec, documents helpers); the build refuses
 * to pack if any worker, workflow, activity, simulator or integration file got in.
 */
const PACKAGE_NAME = '@ferje/client';
const RUNTIME_DEPENDENCIES = [
  // Tracing: the client starts the trace a flow's workflow and activities continue (src/tracing).
  '@opentelemetry/api',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-base',
  '@temporalio/client',
  '@temporalio/common',
  '@temporalio/envconfig',
  '@temporalio/interceptors-opentelemetry',
  '@temporalio/proto',
  '@temporalio/workflow',
  'undici',
];
const FORBIDDEN = /(^|\/)(workflows|activities|simulators|integrations|worker|dev|ingress)\//;

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? files(full, base) : [path.relative(base, full)];
  });
}

export function packClient(destination: string): string {
  const outDir = path.join(projectDir, 'dist', 'client-package');
  rmSync(outDir, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.client.json'], {
    cwd: projectDir,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.client.json failed:\n${tsc.stdout}${tsc.stderr}`);
  const leaked = files(outDir).filter((f) => FORBIDDEN.test(f));
  if (leaked.length > 0) throw new Error(`the client package would contain server code: ${leaked.join(', ')}`);

  const root = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as {
    version: string;
    engines: Record<string, string>;
    dependencies: Record<string, string>;
  };
  const manifest = {
    name: PACKAGE_NAME,
    version: root.version,
    description: 'Start Ferje flows and exchange documents with Ferje from TypeScript: contract, client, codec',
    license: 'UNLICENSED',
    engines: root.engines,
    main: 'src/client/index.js',
    types: 'src/client/index.d.ts',
    dependencies: Object.fromEntries(RUNTIME_DEPENDENCIES.map((d) => [d, root.dependencies[d]])),
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    path.join(outDir, 'README.md'),
    '# @ferje/client\n\nStart Ferje flows and exchange documents with Ferje. See the "Calling Ferje" section of Ferje\'s README.\n',
  );
  mkdirSync(destination, { recursive: true });
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', destination], {
    cwd: outDir,
    encoding: 'utf8',
  });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  return path.join(destination, pack.stdout.trim().split('\n').pop()!);
}

if (require.main === module) {
  console.log(packClient(path.resolve(process.argv[2] ?? path.join(projectDir, 'dist'))));
}
