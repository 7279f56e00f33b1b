import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectDir } from '../../src/config/ferje-config';

/** What a Python caller system needs from PyPI: the Temporal SDK, an HTTP client, and AES-GCM for Ferje's codec. */
export const PYTHON_CALLER_PACKAGES = ['temporalio==1.35.0', 'httpx==0.28.1', 'cryptography==50.0.2'];
const VERSION = '1';

/**
 * Installs the packages once into `.tools/python-caller-<version>/` (pip --target, serialised by a lock folder) and
 * returns the folder to put on PYTHONPATH. A test never skips for want of them.
 */
export function ensurePythonCaller(): { python: string; pythonPath: string } {
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['-m', 'pip', '--version']).status === 0);
  if (!python) throw new Error('python3 with pip is needed for the foreign-caller test (apt-get install python3-pip)');
  const dir = path.join(projectDir, '.tools', `python-caller-${VERSION}`);
  const done = path.join(dir, '.installed');
  if (existsSync(done)) return { python, pythonPath: dir };
  mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`lock ${lock} held for over 10 minutes`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    if (!existsSync(done)) {
      rmSync(dir, { recursive: true, force: true });
      const result = spawnSync(
        python,
        [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--disable-pip-version-check',
          '--no-warn-script-location',
          '--target',
          dir,
          ...PYTHON_CALLER_PACKAGES,
        ],
        { encoding: 'utf8', timeout: 10 * 60_000 },
      );
      if (result.status !== 0)
        throw new Error(`pip install ${PYTHON_CALLER_PACKAGES.join(' ')} failed: ${result.stderr || result.stdout}`);
      writeFileSync(done, `${PYTHON_CALLER_PACKAGES.join('\n')}\n`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return { python, pythonPath: dir };
}
