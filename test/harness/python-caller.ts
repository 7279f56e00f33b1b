import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectDir } from '../../src/config/ferje-config';
import { pipInstallInto } from '../../src/temporal-bin/locate';

/** What a Python caller system needs from PyPI: the Temporal SDK, an HTTP client, and AES-GCM for Ferje's codec. */
export const PYTHON_CALLER_PACKAGES = ['temporalio==1.35.0', 'httpx==0.28.1', 'cryptography==50.0.2'];
const VERSION = '1';

/**
 * Installs the packages once into `.tools/python-caller-<version>/` (pip --target, serialised by a lock folder) and
 * returns the python to run and the folder to put on PYTHONPATH. A test never skips for want of them.
 */
export function ensurePythonCaller(): { python: string; pythonPath: string } {
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) throw new Error('python3 is needed for the foreign-caller test (apt-get install python3-pip)');
  const dir = path.join(projectDir, '.tools', `python-caller-${VERSION}`);
  const done = path.join(dir, '.installed');
  if (existsSync(done)) return { python, pythonPath: dir };
  const error = pipInstallInto(
    dir,
    PYTHON_CALLER_PACKAGES,
    () => existsSync(done),
    (line) => console.log(line),
  );
  if (error) throw new Error(`pip install ${PYTHON_CALLER_PACKAGES.join(' ')} failed: ${error}`);
  if (!existsSync(done)) writeFileSync(done, `${PYTHON_CALLER_PACKAGES.join('\n')}\n`);
  return { python, pythonPath: dir };
}
