import type {
  Ss12000CarriedState,
  Ss12000RegistrationRetry,
  Ss12000SubscriptionPhase,
  Ss12000SyncPassInput,
  StepOutcome,
  SyncStep,
} from '../../src/contract/ss12000';

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
  run: { phase: Ss12000SubscriptionPhase; registrationRetry?: Ss12000RegistrationRetry },
  steps: readonly SyncStep[],
): string {
  const sub = state.subscription;
  const lines = [
    `**Huvudman** \`${huvudman}\` · **${run.phase}** · registration ${state.registration.status}`,
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
    `Pending: ${state.pending.steps.length > 0 ? `${state.pending.steps.join(', ')} (${state.pending.kind})` : 'nothing'} · webhooks ${state.webhooksReceived} (coalesced ${state.webhooksCoalesced}, rejected ${state.webhooksRejected ?? 0}) · passes ${state.passNumber}`,
  ];
  const retry = run.registrationRetry;
  if (retry && run.phase === 'REGISTRATION_RETRYING')
    lines.push(
      `Registration retrying: round ${retry.rounds} failed (${retry.lastError}); next round ${retry.nextAttemptAt ?? 'now'}, gives up at ${retry.giveUpAt}`,
    );
  if (state.registration.status === 'FAILED' && state.registration.reason)
    lines.push(`Registration failed: ${state.registration.reason}`);
  if (state.retryAt)
    lines.push(`Retry of failed types not before ${state.retryAt} (failure ${state.consecutiveFailures} in a row)`);
  if (state.renewRetryAt) lines.push(`Renewal failed; next attempt not before ${state.renewRetryAt}`);
  return lines.join('\n');
}
