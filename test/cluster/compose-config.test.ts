import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { dockerCompose, ensureGoTool } from '../../scripts/go-tools';
import { clusterSettings } from '../../src/cluster/settings';
import { projectDir } from '../../src/config/ferje-config';

/**
 * Compose v2's own loader on docker-compose.yml: no Docker engine runs here, but `config` parses, interpolates and
 * validates the file against the Compose specification exactly as `docker compose up` would on a user's machine
 * (unknown keys, wrong types, dependencies on services that do not exist, undefined secrets and volumes).
 */
function composeConfig(file: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(ensureGoTool(dockerCompose), ['-f', file, 'config', ...args], {
    encoding: 'utf8',
    cwd: path.dirname(file),
    // Only the file's own defaults: a developer's shell must not make a broken file pass.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const composeFile = path.join(projectDir, 'docker-compose.yml');

describe('docker-compose.yml through Compose v2 itself', () => {
  it('is a valid Compose file, without warnings', () => {
    const { status, stderr } = composeConfig(composeFile, '--quiet');
    assert.equal(status, 0, stderr);
    assert.equal(stderr.trim(), '', 'Compose printed no warnings');
  });

  it('resolves to the Temporal server and Postgres versions the native cluster runs', () => {
    const { status, stdout, stderr } = composeConfig(composeFile, '--format', 'json');
    assert.equal(status, 0, stderr);
    const model = JSON.parse(stdout) as { services: Record<string, { image?: string }> };
    assert.equal(model.services.temporal.image, `temporalio/server:${clusterSettings.temporalServerVersion}`);
    assert.equal(model.services.postgresql.image, `postgres:${clusterSettings.postgresMajor}`);
    assert.equal(model.services['ss12000-db'].image, `postgres:${clusterSettings.postgresMajor}`);
  });

  it('would refuse a broken file (the check has teeth)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferje-compose-'));
    const broken = path.join(dir, 'docker-compose.yml');
    const text = readFileSync(composeFile, 'utf8');
    // A dependency on a service that does not exist, as a rename of one service without its dependents would leave.
    writeFileSync(broken, text.replace(/^ {2}temporal:\n/m, '  temporal-renamed:\n'));
    const { status, stderr } = composeConfig(broken, '--quiet');
    assert.notEqual(status, 0);
    assert.match(stderr, /depends on undefined service "temporal"/);
  });
});
