import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ensureTemporalServerBuild } from '../../src/cluster/server-build';
import { clusterSettings } from '../../src/cluster/settings';
import { projectDir } from '../../src/config/ferje-config';

/** The server's own validator: every key known to this server version, every value of the right type. */
function validate(file: string): { status: number | null; problems: string[] } {
  const build = ensureTemporalServerBuild();
  const result = spawnSync(build.server, ['validate-dynamic-config', file], { encoding: 'utf8' });
  const problems = `${result.stdout}${result.stderr}`.split('\n').filter((l) => /^\s*(warning|error):/.test(l));
  return { status: result.status, problems };
}

describe('the dynamic config compose and the native cluster share', () => {
  it('is valid for the Temporal server version both run', () => {
    const { status, problems } = validate(path.join(projectDir, clusterSettings.dynamicConfigFile));
    assert.equal(status, 0);
    assert.deepEqual(problems, []);
  });

  it('would be caught if a key or a value were wrong (the validator only warns)', () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'ferje-dc-')), 'bad.yaml');
    writeFileSync(bad, 'frontend.noSuchKey:\n  - value: 3\nlimit.maxIDLength:\n  - value: "x"\n');
    const { problems } = validate(bad);
    assert.equal(problems.length, 2, problems.join('\n'));
  });
});
