import { parseArgs } from 'node:util';
import type { CliCommand } from '../../cli/command';
import type { Env } from '../../config/env';
import { signstashCheckCommandInfo } from './cli-info';
import { checkWireContract, loadWireCheckSettings, type WireCheckOutcome } from './wire-check';

/** The operator's view of a check: what was confirmed, what contradicts the profile, what could not be checked. */
export function formatWireCheck(outcome: WireCheckOutcome, profileName: string): string {
  if (outcome.kind === 'no-document') {
    return [
      `No OpenAPI document found; wire profile ${profileName} could not be checked. Tried:`,
      ...outcome.lookup.tried.map((t) => `  ${t.url}  (${t.why})`),
      'Set SIGNSTASH_OPENAPI_URL (or --openapi-url) to where the proxy publishes it (its Swagger UI loads it).',
    ].join('\n');
  }
  const { report } = outcome;
  return [
    `Wire profile ${profileName} against ${report.source}`,
    ...report.confirmed.map((c) => `  ok        ${c}`),
    ...report.mismatches.map((m) => `  MISMATCH  ${m}`),
    ...report.notes.map((n) => `  note      ${n}`),
    report.mismatches.length === 0
      ? `Confirmed: ${report.confirmed.length} item(s), no mismatch.`
      : `${report.mismatches.length} mismatch(es): the Sign'Stash worker would refuse to start.`,
  ].join('\n');
}

/** Exit code: 0 matches, 1 a mismatch, 3 no document to check against. */
export async function runSignstashCheck(args: string[], env: Env, print: (text: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'base-url': { type: 'string' },
      profile: { type: 'string' },
      'openapi-url': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const settings = loadWireCheckSettings({
    ...env,
    ...(values['base-url'] ? { SIGNSTASH_BASE_URL: values['base-url'] } : {}),
    ...(values.profile ? { SIGNSTASH_WIRE_PROFILE: values.profile } : {}),
    ...(values['openapi-url'] ? { SIGNSTASH_OPENAPI_URL: values['openapi-url'] } : {}),
  });
  const outcome = await checkWireContract(settings);
  print(values.json ? JSON.stringify(outcome) : formatWireCheck(outcome, settings.wireProfile.name));
  if (outcome.kind === 'no-document') return 3;
  return outcome.report.mismatches.length > 0 ? 1 : 0;
}

export const signstashCheckCommand: CliCommand = {
  ...signstashCheckCommandInfo,
  run: (args) => runSignstashCheck(args, process.env, (text) => console.log(text)),
};
