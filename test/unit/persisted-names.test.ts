import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flows } from '../../src/contract/flows';
import * as workflows from '../../workflows';
import { documentedPersistedNames, renderPersistedNames, sameTables } from '../../scripts/persisted-names';

describe('docs/persisted-names.md', () => {
  it('matches the contract (regenerate with `npx tsx scripts/persisted-names.ts --write`, then read the diff)', () => {
    assert.ok(
      sameTables(documentedPersistedNames(), renderPersistedNames()),
      'docs/persisted-names.md is out of date: run `npx tsx scripts/persisted-names.ts --write`',
    );
  });

  it('lists every workflow type the bundle registers, and every flow is one of them', () => {
    const table = renderPersistedNames();
    for (const type of Object.keys(workflows)) {
      assert.ok(table.includes(`| \`${type}\` |`), `${type} is in the bundle but not in the contract's …WorkflowTypes`);
    }
    for (const flow of Object.values(flows)) {
      assert.ok(type(flow.workflowType), `flow ${flow.name} starts ${flow.workflowType}, which the bundle lacks`);
    }
  });
});

function type(name: string): boolean {
  return Object.keys(workflows).includes(name);
}
