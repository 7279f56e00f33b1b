import { ApplicationFailure, TimeoutFailure, type ActivityFailure } from '@temporalio/workflow';
import type { SyncStep } from '../../src/contract/ss12000/resource-types';
import type { Ss12000CarriedState, Ss12000SyncPassInput, StepOutcome } from '../../src/contract/ss12000/types';

/** A failure as type + message, for outcomes and log entries (client messages never carry entity data). */
export function errorInWords(err: ActivityFailure): { type: string; message: string } {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause instanceof TimeoutFailure) return { type: 'Timeout', message: `activity timed out (${cause.timeoutType})` };
  return { type: cause?.name ?? 'Unknown', message: cause?.message ?? err.message };
}

const row = (o: StepOutcome, status: string = o.status): string =>
  `| ${o.step} | ${status} | ${o.pages} | ${o.fetched} | ${o.stored} | ${o.invalid} | ${o.deleted} |`;

/** The pass's live view in the Temporal UI: counts per step, no entity data. */
export function passDetails(input: Ss12000SyncPassInput, outcomes: StepOutcome[], current: number): string {
  const lines = [
    `**Sync pass ${input.passNumber}** (${input.kind}) of huvudman \`${input.huvudman}\`: ${input.steps.join(' → ')}`,
    '',
    '| Step | Status | Pages | Fetched | Stored | Invalid | Deleted |',
    '|---|---|---|---|---|---|---|',
    ...outcomes.map((o, i) => row(o, i === current && !o.finishedAt ? 'RUNNING' : o.status)),
  ];
  const failed = outcomes.find((o) => o.status === 'FAILED');
  if (failed?.error) lines.push('', `Stopped: ${failed.error.type}: ${failed.error.message}`);
  return lines.join('\n');
}

/** The subscription's live view: subscription, per-type watermark and last outcome, pending work. */
export function subscriptionDetails(
  huvudman: string,
  state: Ss12000CarriedState,
  phase: string,
  steps: readonly SyncStep[],
): string {
  const sub = state.subscription;
  const lines = [
    `**Huvudman** \`${huvudman}\` · **${phase}** · registration ${state.registration.status}`,
    sub
      ? `Subscription \`${sub.id}\`${sub.expires ? `, expires ${sub.expires}` : ''} · renewed ${state.renewals}× · recreated ${state.recreations}×`
      : 'No subscription yet',
    '',
    '| Type | Watermark | Last pass | Outcome | Fetched | Stored | Invalid | Deleted |',
    '|---|---|---|---|---|---|---|---|',
    ...steps.map((step) => {
      const t = state.types[step];
      const o = t?.lastOutcome;
      return `| ${step} | ${t?.watermark ?? '—'} | ${t?.lastPassNumber ?? '—'} | ${o?.status ?? '—'} | ${o?.fetched ?? 0} | ${o?.stored ?? 0} | ${o?.invalid ?? 0} | ${o?.deleted ?? 0} |`;
    }),
    '',
    `Pending: ${state.pending.steps.length > 0 ? `${state.pending.steps.join(', ')} (${state.pending.kind})` : 'nothing'} · webhooks ${state.webhooksReceived} (coalesced ${state.webhooksCoalesced}) · passes ${state.passNumber}`,
  ];
  if (state.retryAt)
    lines.push(`Retry of failed types not before ${state.retryAt} (failure ${state.consecutiveFailures} in a row)`);
  if (state.renewRetryAt) lines.push(`Renewal failed; next attempt not before ${state.renewRetryAt}`);
  return lines.join('\n');
}
