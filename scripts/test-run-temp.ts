import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processExists } from '../src/platform/process-exists';

/** `ferje-test-run-<pid of the run>-<random>`: the pid tells whether the run is still going. */
const prefix = 'ferje-test-run-';

/**
 * One temp directory for a whole test run, set as TMPDIR so that every test, server and child process writes under
 * it, and removed when the run ends. Why: tests and the servers they start (Postgres, the S3 gateway, simulators,
 * worker processes killed on purpose) left about 0.6 GiB in the temp directory per run, which piles up on a machine
 * that runs the suite again and again. Directories of earlier runs whose process is gone (a run killed by CI's time
 * limit never reaches its end) are removed first; a run still going keeps its own.
 */
export function openRunTempDir(): { dir: string; remove(): void } {
  const parent = tmpdir();
  for (const entry of readdirSync(parent)) {
    const pid = entry.startsWith(prefix) ? Number.parseInt(entry.slice(prefix.length), 10) : NaN;
    if (pid > 0 && !processExists(pid)) rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
  const dir = mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
  // It stands in for /tmp, so it gets /tmp's mode: run as root, the tests hand Postgres to the `postgres` user, which
  // must reach its own directory in here (mkdtemp's 0700 stops it at the door).
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  return {
    dir,
    remove() {
      process.env.TMPDIR = parent;
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch (err) {
        // A server still writing as it stops: the next run removes what is left.
        console.warn(`could not remove ${dir}: ${(err as Error).message}`);
      }
    },
  };
}
