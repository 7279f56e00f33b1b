import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureFreeDiskSpace, NotEnoughDiskSpaceError } from '../../scripts/disk-space';
import { openRunTempDir } from '../../scripts/test-run-temp';

describe("npm test's own hygiene: disk space checked first, one temp directory per run", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ferje-hygiene-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('refuses to start with a clear, typed error when the temp file system has too little free', () => {
    const stats = statfsSync(scratch);
    const free = stats.bavail * stats.bsize;
    assert.equal(ensureFreeDiskSpace(scratch, 1, 'this test'), free);
    assert.throws(
      () => ensureFreeDiskSpace(scratch, free * 2, 'npm test'),
      (err: unknown) =>
        err instanceof NotEnoughDiskSpaceError &&
        err.message.includes(scratch) &&
        /npm test needs at least [\d.]+ GiB/.test(err.message),
    );
  });

  it("gives the run its own TMPDIR, removes it at the end, and sweeps dead runs' directories but not live ones", () => {
    const parent = path.join(scratch, 'tmp');
    mkdirSync(parent);
    // A pid that is surely gone: a child that has already exited.
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    const dead = path.join(parent, `ferje-test-run-${deadPid}-abc123`);
    const live = path.join(parent, `ferje-test-run-${process.ppid}-def456`);
    const other = path.join(parent, 'ferje-posten-xyz789');
    for (const dir of [dead, live, other]) {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'left-behind'), 'x');
    }
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = parent;
    try {
      const run = openRunTempDir();
      assert.equal(tmpdir(), run.dir, 'everything the run starts writes under its own directory');
      assert.equal(path.dirname(run.dir), parent);
      assert.equal(statSync(run.dir).mode & 0o7777, 0o1777, "/tmp's mode, so servers run as another user get in");
      assert.equal(existsSync(dead), false, "a dead run's directory is swept");
      assert.equal(existsSync(live), true, "a live run's directory is kept");
      assert.equal(existsSync(other), true, 'only test-run directories are touched');
      writeFileSync(path.join(mkdtempSync(path.join(tmpdir(), 'ferje-pg-')), 'server.log'), 'x');
      run.remove();
      assert.equal(existsSync(run.dir), false);
      assert.equal(tmpdir(), parent, 'TMPDIR is given back');
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
