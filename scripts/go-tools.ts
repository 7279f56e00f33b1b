import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../src/config/ferje-config';

/** A server the tests run for real, built from the Go module proxy once per machine into `.tools/<name>-<version>/`. */
export interface GoTool {
  name: string;
  version: string;
  /** The package `go install` builds (its last element names the binary unless `binary` does). */
  pkg: string;
  /** The installed binary's name, where the package's last element is not it (compose's package is `cmd`). */
  binary?: string;
  /**
   * The module to build the package inside, for modules whose go.mod has `exclude` or `replace` directives:
   * `go install pkg@version` refuses those, so the module source is downloaded and the package built in it.
   */
  module?: string;
}

/** Versity's S3 gateway (Apache-2.0) on its POSIX backend: the real S3 server the S3 blob store is tested against. */
export const versitygw: GoTool = {
  name: 'versitygw',
  version: 'v1.8.0',
  pkg: 'github.com/versity/versitygw/cmd/versitygw',
};

/**
 * Docker Compose v2 (Apache-2.0), built from its module source: no Docker engine runs here, but Compose's own loader
 * validates docker-compose.yml (`config --quiet`) exactly as `docker compose up` would parse it on a user's machine.
 */
export const dockerCompose: GoTool = {
  name: 'compose',
  version: 'v2.40.3',
  pkg: 'github.com/docker/compose/v2/cmd',
  binary: 'docker-compose',
  // Its go.mod excludes versions, which `go install …@version` refuses.
  module: 'github.com/docker/compose/v2',
};

export function goToolPath(tool: GoTool): string {
  return path.join(projectDir, '.tools', `${tool.name}-${tool.version}`, tool.binary ?? path.basename(tool.pkg));
}

function goBinary(): string {
  if (spawnSync('go', ['version']).status === 0) return 'go';
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('Go is needed to build the test servers (go install from the module proxy): install Go');
}

/**
 * Builds the tool unless this version is already there. The build writes into a temp folder that is renamed
 * into place, so an interrupted build never leaves a half binary under the versioned name. GOTOOLCHAIN=auto lets
 * the Go command fetch a newer toolchain from the proxy when the module asks for one.
 */
export function ensureGoTool(tool: GoTool): string {
  const binary = goToolPath(tool);
  if (existsSync(binary)) return binary;
  const dir = path.dirname(binary);
  mkdirSync(path.dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}.building-`);
  console.log(`setup: building ${tool.name} ${tool.version} with go (once per machine)`);
  const env = { ...process.env, GOBIN: staging, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto' };
  const fail = (what: string, status: number | null): never => {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`${what} failed with exit ${status}`);
  };
  if (tool.module) {
    const download = spawnSync(goBinary(), ['mod', 'download', '-json', `${tool.module}@${tool.version}`], {
      encoding: 'utf8',
      env: { ...env, GOFLAGS: '-mod=mod' },
    });
    if (download.status !== 0) fail(`go mod download ${tool.module}@${tool.version}`, download.status);
    const moduleDir = (JSON.parse(download.stdout) as { Dir: string }).Dir;
    const relative = `./${path.posix.relative(tool.module, tool.pkg)}`;
    const build = spawnSync(goBinary(), ['build', '-o', path.join(staging, path.basename(tool.pkg)), relative], {
      cwd: moduleDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
    if (build.status !== 0) fail(`go build ${tool.pkg} in ${tool.module}@${tool.version}`, build.status);
  } else {
    const install = spawnSync(goBinary(), ['install', `${tool.pkg}@${tool.version}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
    if (install.status !== 0) fail(`go install ${tool.pkg}@${tool.version}`, install.status);
  }
  if (tool.binary) renameSync(path.join(staging, path.basename(tool.pkg)), path.join(staging, tool.binary));
  chmodSync(staging, 0o755);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return binary;
}
