import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { connectFerjeClient } from '../../client/connect';
import { describeWorkflow, failureInWords, formatWorkflowReport } from '../../client/describe';
import { FlowStartError } from '../../client/flow-errors';
import { startFlow } from '../../client/flows';
import { flows } from '../../contract/flows';
import { UsageError, type CliCommand } from '../command';

async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectFerjeClient();
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

export const startCommand: CliCommand = {
  name: 'start',
  usage: 'ferje start <flow> --input file.json [--wait]   (exit 2: input refused, 3: key taken with a different input)',
  description: 'Start a flow with JSON input (idempotent on its business key); see "ferje flows"',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { input: { type: 'string' }, wait: { type: 'boolean', default: false } },
    });
    const flow = flows[positionals[0] ?? ''];
    if (!flow) throw new UsageError(`Unknown flow "${positionals[0] ?? ''}"; known: ${Object.keys(flows).join(', ')}`);
    if (!values.input) throw new UsageError('--input file.json is required');
    let input: unknown;
    try {
      input = JSON.parse(await readFile(values.input, 'utf8'));
    } catch (err) {
      throw new UsageError(`Cannot read ${values.input} as JSON: ${(err as Error).message}`);
    }
    return withClient(async (client) => {
      let started;
      try {
        started = await startFlow(client, flow, input);
      } catch (err) {
        if (!(err instanceof FlowStartError)) throw err;
        console.error(`Not started: ${err.message}`);
        return 2;
      }
      if (!started.started) {
        const status = (await started.handle.describe()).status.name;
        if (started.sameInput === false) {
          console.error(
            `Conflict: ${started.workflowId} already exists (${status}) with a different input; the new input was NOT ` +
              'started. Use another business key, or wait until the flow ended and its key may be reused.',
          );
          return 3;
        }
        const same = started.sameInput === true ? 'same input' : 'started without an input hash, so not compared';
        console.log(`Already exists (${same}): ${started.workflowId} · ${status}`);
      } else {
        console.log(`Started: ${started.workflowId}`);
      }
      if (values.wait) {
        try {
          console.log(JSON.stringify(await started.result(), null, 2));
        } catch (err) {
          console.error(`Failed: ${failureInWords(err)}`);
          return 1;
        }
      }
      return 0;
    });
  },
};

export const describeCommand: CliCommand = {
  name: 'describe',
  usage: 'ferje describe <workflowId> [--json]',
  description: 'Status, current details, pending activities and the last failure of a workflow, in words',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (!positionals[0]) throw new UsageError('workflowId is required');
    return withClient(async (client) => {
      const report = await describeWorkflow(client, positionals[0]);
      console.log(values.json ? JSON.stringify(report, null, 2) : formatWorkflowReport(report));
      return 0;
    });
  },
};

export const cancelCommand: CliCommand = {
  name: 'cancel',
  usage: 'ferje cancel <workflowId>',
  description: 'Request cancellation; the workflow cleans up with the partner (e.g. cancels the signature job)',
  async run(args) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (!positionals[0]) throw new UsageError('workflowId is required');
    return withClient(async (client) => {
      await client.workflow.getHandle(positionals[0]).cancel();
      console.log(`Cancellation requested: ${positionals[0]}`);
      return 0;
    });
  },
};

export const flowsCommand: CliCommand = {
  name: 'flows',
  usage: 'ferje flows',
  description: 'List the flows that "ferje start" and other systems can start',
  async run() {
    for (const [name, flow] of Object.entries(flows)) {
      console.log(
        `${name.padEnd(28)} ${flow.workflowType.padEnd(32)} queue ${flow.taskQueue}\n${' '.repeat(29)}${flow.description}`,
      );
    }
    return 0;
  },
};
