import { statfsSync } from 'node:fs';

/** Thrown before any test starts when the temp directory's file system cannot hold what the run writes. */
export class NotEnoughDiskSpaceError extends Error {
  override readonly name = 'NotEnoughDiskSpaceError';
}

const GiB = 1024 ** 3;

/**
 * Fails fast when `dir`'s file system has less than `neededBytes` free. Why: on a full disk the servers the tests run
 * (Postgres, Versity's S3 gateway, the Temporal dev server) do not fail, they stall, and a test run that would take
 * 15 minutes hung until CI's 90-minute limit, with no message that said why.
 */
export function ensureFreeDiskSpace(dir: string, neededBytes: number, purpose: string): number {
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  if (free < neededBytes) {
    throw new NotEnoughDiskSpaceError(
      `${dir} has ${(free / GiB).toFixed(1)} GiB free; ${purpose} needs at least ${(neededBytes / GiB).toFixed(1)} GiB. ` +
        'Free some space (old ferje-* temp directories are safe to delete when nothing runs) or point TMPDIR elsewhere.',
    );
  }
  return free;
}
