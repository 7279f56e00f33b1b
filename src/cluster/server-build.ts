import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../config/ferje-config';
import { clusterSettings } from './settings';

/**
 * The Temporal server and temporal-sql-tool, built from the Go module go.temporal.io/server (the Go module proxy is
 * reachable from our machines, Temporal's download site and Docker registries are not), once per machine and
 * version, into `.tools/temporal-server-<version>/` with the module's Postgres schema next to them.
 */
export interface TemporalServerBuild {
  dir: string;
  version: string;
  server: string;
  sqlTool: string;
  /** `schema/postgresql/v12` of the same module version: `temporal/versioned` and `visibility/versioned`. */
  postgresSchemaDir: string;
}

export class TemporalServerBuildError extends Error {
  override readonly name = 'TemporalServerBuildError';
}

export interface BuildOptions {
  version?: string;
  toolsDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

const MODULE = 'go.temporal.io/server';

export function temporalServerBuildDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const tools = path.resolve(env.FERJE_TOOLS_DIR ?? path.join(projectDir, '.tools'));
  return path.join(tools, `temporal-server-${version}`);
}

function layout(dir: string, version: string): TemporalServerBuild {
  return {
    dir,
    version,
    server: path.join(dir, 'bin', 'temporal-server'),
    sqlTool: path.join(dir, 'bin', 'temporal-sql-tool'),
    postgresSchemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
  };
}

/** A build is complete once its marker names the version; the marker is written last. */
function complete(build: TemporalServerBuild): boolean {
  const marker = path.join(build.dir, 'BUILT');
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === build.version;
}

/** The Go command: GOROOT's (the official tarball's usual place) or PATH's. */
export function locateGo(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.GOROOT ? path.join(env.GOROOT, 'bin', 'go') : undefined,
    ...(env.PATH ?? '').split(path.delimiter).map((d) => (d ? path.join(d, 'go') : undefined)),
    '/usr/local/go/bin/go',
    '/usr/lib/go/bin/go',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Returns the cached build, building it first (about 4 minutes on two cores) when it is missing. */
export function ensureTemporalServerBuild(options: BuildOptions = {}): TemporalServerBuild {
  const env = options.env ?? process.env;
  const version = options.version ?? clusterSettings.temporalServerVersion;
  const dir = options.toolsDir
    ? path.join(options.toolsDir, `temporal-server-${version}`)
    : temporalServerBuildDir(version, env);
  const build = layout(dir, version);
  if (complete(build)) return build;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new TemporalServerBuildError(`lock ${lock} held for over 20 minutes`);
      execFileSync('sleep', ['2']);
    }
  }
  try {
    // Another process may have finished the same build while we waited for the lock.
    if (complete(build)) return build;
    const go = locateGo(env);
    if (!go) {
      throw new TemporalServerBuildError(
        'No Go toolchain found (GOROOT, PATH, /usr/local/go). Install Go (e.g. the Debian package golang-go) ' +
          'and run "npm run setup".',
      );
    }
    const goEnv = { ...env, GOTOOLCHAIN: clusterSettings.goToolchain, GOFLAGS: '-buildvcs=false' };
    const partial = path.join(dir, 'bin.partial');
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    log(`ferje: building the Temporal server ${version} from ${MODULE} (once per machine, a few minutes)`);
    const started = Date.now();
    const installed = spawnSync(
      go,
      ['install', `${MODULE}/cmd/server@v${version}`, `${MODULE}/cmd/tools/sql@v${version}`],
      { env: { ...goEnv, GOBIN: partial }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30 * 60_000 },
    );
    if (installed.status !== 0) {
      const tail = `${installed.stderr}${installed.stdout}`.trim().split('\n').slice(-8).join('\n');
      throw new TemporalServerBuildError(`go install ${MODULE}@v${version} failed:\n${tail}`);
    }
    mkdirSync(path.join(dir, 'bin'), { recursive: true });
    renameSync(path.join(partial, 'server'), build.server);
    renameSync(path.join(partial, 'sql'), build.sqlTool);
    rmSync(partial, { recursive: true, force: true });

    // The schema files ship in the module source, which `go install` just put into the module cache.
    const modCache = execFileSync(go, ['env', 'GOMODCACHE'], { env: goEnv, encoding: 'utf8' }).trim();
    const moduleSchema = path.join(modCache, `${MODULE}@v${version}`, 'schema', 'postgresql', 'v12');
    if (!existsSync(moduleSchema)) throw new TemporalServerBuildError(`no Postgres schema at ${moduleSchema}`);
    rmSync(build.postgresSchemaDir, { recursive: true, force: true });
    mkdirSync(path.dirname(build.postgresSchemaDir), { recursive: true });
    execFileSync('cp', ['-R', moduleSchema, build.postgresSchemaDir]);
    // The module cache is read-only; a copy that cannot be replaced later would pin this build forever.
    execFileSync('chmod', ['-R', 'u+w', build.postgresSchemaDir]);
    writeFileSync(path.join(dir, 'BUILT'), `${version}\n`);
    log(`ferje: built the Temporal server ${version} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${dir}`);
    return build;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
