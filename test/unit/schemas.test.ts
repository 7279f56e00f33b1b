import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { flows } from '../../src/contract/flows';
import { generateSchemaFiles, schemasDir } from '../../scripts/schema-generation';

describe('generated JSON Schemas of workflow inputs and outputs', () => {
  const generated = generateSchemaFiles();

  it('are committed and up to date (run "npm run schemas" after changing the contract)', () => {
    const committed = existsSync(schemasDir) ? readdirSync(schemasDir).sort() : [];
    assert.deepEqual(committed, Object.keys(generated).sort());
    for (const [name, content] of Object.entries(generated)) {
      assert.equal(readFileSync(path.join(schemasDir, name), 'utf8'), content, `${name} is stale`);
    }
  });

  it('cover every flow with an object schema for its input', () => {
    for (const flow of Object.values(flows)) {
      const schema = JSON.parse(generated[`${flow.workflowType}.input.schema.json`]) as { type?: string };
      assert.equal(schema.type, 'object', flow.workflowType);
    }
  });
});
