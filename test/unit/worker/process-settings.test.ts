import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const projectDir = path.join(__dirname, '..', '..', '..');

/** Runs bin/ferje (on the sources) with a stand-in for node that prints what it was started with instead of running. */
function startedWith(args: string[], env: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferje-bin-'));
  const fakeNode = path.join(dir, 'node');
  writeFileSync(fakeNode, '#!/bin/sh\necho "arenas=${MALLOC_ARENA_MAX-unset} options=${NODE_OPTIONS-unset} args=$*"\n');
  chmodSync(fakeNode, 0o755);
  const { MALLOC_ARENA_MAX: _a, NODE_OPTIONS: _o, ...rest } = process.env;
  return execFileSync(path.join(projectDir, 'bin', 'ferje'), args, {
    env: { ...rest, ...env, FERJE_NODE: fakeNode, FERJE_CLI_SOURCES: '1' },
    encoding: 'utf8',
  }).trim();
}

describe('bin/ferje: the one place a worker process gets its memory settings', () => {
  const cli = path.join(projectDir, 'bin', 'ferje.js');

  it('starts `ferje worker` with two malloc arenas, a 4 MB young generation and a 256 MB heap, in the same process (exec)', () => {
    assert.equal(
      startedWith(['worker']),
      `arenas=2 options=--max-semi-space-size=4 --max-old-space-size=256 args=--import tsx ${cli} worker`,
    );
  });

  it('gives a worker serving SS12000 alone a 16 MB young generation (its page work is bound by young-generation copying)', () => {
    assert.equal(
      startedWith(['worker'], { FERJE_WORKER_INTEGRATIONS: 'ss12000' }),
      `arenas=2 options=--max-semi-space-size=16 --max-old-space-size=256 args=--import tsx ${cli} worker`,
    );
    for (const list of ['ss12000,eformidling', 'eformidling']) {
      assert.match(startedWith(['worker'], { FERJE_WORKER_INTEGRATIONS: list }), /options=--max-semi-space-size=4 /);
    }
  });

  it("lets the operator's own settings win: MALLOC_ARENA_MAX as set, NODE_OPTIONS after Ferje's", () => {
    assert.equal(
      startedWith(['worker'], {
        MALLOC_ARENA_MAX: '8',
        NODE_OPTIONS: '--max-semi-space-size=16 --max-old-space-size=512',
      }),
      `arenas=8 options=--max-semi-space-size=4 --max-old-space-size=256 --max-semi-space-size=16 --max-old-space-size=512 args=--import tsx ${cli} worker`,
    );
  });

  it('puts FERJE_NODE_ARGS on the node command line (flags Node refuses in NODE_OPTIONS, such as --cpu-prof)', () => {
    assert.equal(
      startedWith(['worker'], { FERJE_NODE_ARGS: '--cpu-prof --cpu-prof-dir=/tmp/p' }),
      `arenas=2 options=--max-semi-space-size=4 --max-old-space-size=256 args=--cpu-prof --cpu-prof-dir=/tmp/p --import tsx ${cli} worker`,
    );
  });

  it('leaves every other command as it is', () => {
    assert.equal(startedWith(['ingress']), `arenas=unset options=unset args=--import tsx ${cli} ingress`);
    assert.equal(startedWith(['start', 'worker']), `arenas=unset options=unset args=--import tsx ${cli} start worker`);
  });

  it('the flag is one Node accepts in NODE_OPTIONS (it refuses to start on one it does not)', () => {
    const run = (options: string): string =>
      execFileSync(process.execPath, ['-e', 'console.log("started")'], {
        env: { ...process.env, NODE_OPTIONS: options },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    assert.equal(run('--max-semi-space-size=4 --max-old-space-size=256'), 'started');
    assert.throws(() => run('--no-such-flag-for-node'));
  });

  it('the heap limit takes effect, and a later flag of the operator wins', () => {
    const heapLimitMb = (options: string): number =>
      Number(
        execFileSync(
          process.execPath,
          ['-e', 'console.log(require("node:v8").getHeapStatistics().heap_size_limit / 1048576)'],
          { env: { ...process.env, NODE_OPTIONS: options }, encoding: 'utf8' },
        ).trim(),
      );
    const ferje = heapLimitMb('--max-semi-space-size=4 --max-old-space-size=256');
    assert.ok(ferje >= 256 && ferje < 300, `heap limit ${ferje} MB`);
    const operator = heapLimitMb('--max-semi-space-size=4 --max-old-space-size=256 --max-old-space-size=512');
    assert.ok(operator >= 512 && operator < 600, `heap limit ${operator} MB`);
  });
});
