import path from 'node:path';
import { createGenerator, type Config } from 'ts-json-schema-generator';
import { projectDir } from '../src/config/ferje-config';
import { flows } from '../src/contract/flows';

export const schemasDir = path.join(projectDir, 'schemas');

/**
 * JSON Schemas of every flow's input and result, generated from the TypeScript contract, so that a starter written
 * in Java, .NET or Go can build a valid JSON input for a workflow type without reading TypeScript.
 * Returns file name → content.
 */
export function generateSchemaFiles(): Record<string, string> {
  const config: Config = {
    path: path.join(projectDir, 'src', 'contract', 'index.ts'),
    tsconfig: path.join(projectDir, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    topRef: false,
    jsDoc: 'extended',
    skipTypeCheck: true,
    additionalProperties: false,
  };
  const generator = createGenerator(config);
  const files: Record<string, string> = {};
  const index: Record<string, unknown>[] = [];
  for (const [name, flow] of Object.entries(flows)) {
    for (const [kind, typeName] of [
      ['input', flow.inputTypeName],
      ['output', flow.outputTypeName],
    ] as const) {
      // Long-lived workflows (pollers, inboxes) end only by cancellation or continue-as-new: no result to describe.
      const schema =
        typeName === 'void'
          ? {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'null',
              description: 'This workflow has no result.',
            }
          : generator.createSchema(typeName);
      files[`${flow.workflowType}.${kind}.schema.json`] = `${JSON.stringify(
        {
          $id: `https://ferje.local/schemas/${flow.workflowType}.${kind}.schema.json`,
          title: `${flow.workflowType} ${kind} (${typeName})`,
          ...schema,
        },
        null,
        2,
      )}\n`;
    }
    index.push({
      flow: name,
      workflowType: flow.workflowType,
      taskQueue: flow.taskQueue,
      integration: flow.integration,
      description: flow.description,
      input: `${flow.workflowType}.input.schema.json`,
      output: `${flow.workflowType}.output.schema.json`,
    });
  }
  files['index.json'] = `${JSON.stringify({ flows: index }, null, 2)}\n`;
  return files;
}
