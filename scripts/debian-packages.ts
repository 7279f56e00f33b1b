import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Installs a Debian package with apt-get (as root, or with password-less sudo) unless `binary` already exists. */
export function ensureDebianPackage(pkg: string, binary: string, why: string): void {
  if (existsSync(binary)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n'] : undefined;
  if (!sudo || spawnSync('apt-get', ['--version']).status !== 0) {
    throw new Error(
      `${pkg} not found at ${binary} and cannot install it (needs apt-get as root). ` +
        `Install the Debian package "${pkg}".`,
    );
  }
  console.log(`setup: installing ${pkg} from Debian packages (${why})`);
  const run = (args: string[]): void => {
    const [cmd, ...rest] = [...sudo, ...args];
    const result = spawnSync(cmd, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed with exit ${result.status}`);
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', pkg]);
}
