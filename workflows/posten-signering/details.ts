import type { MissingDocument, SignerProgress, StatusPollerState } from '../../src/contract/posten-signering';
import type { SignatureJobState } from './signature-job-state';
import type { UnownedJobRun } from './unowned-job-state';

/** The operator views' markdown: statuses, counters and signer indexes only, never names, numbers or addresses. */

export function signerTable(signers: SignerProgress[]): string {
  const rows = signers.map(
    (s) => `| #${s.index + 1} | ${s.order} | ${s.status} | ${s.since ?? '—'} | ${s.xades ? 'stored' : '—'} |`,
  );
  return ['| Signer | Order | Status | Since | XAdES |', '|---|---|---|---|---|', ...rows].join('\n');
}

function missingLine(missing: MissingDocument[] | undefined): string[] {
  if (!missing?.length) return [];
  const names = missing.map((m) => (m.document === 'PADES' ? 'PAdES' : `XAdES of signer #${m.signerIndex + 1}`));
  return ['', `**Documents missing** (Posten refused their download): ${names.join(', ')}`];
}

export function signatureJobDetails(state: SignatureJobState): string {
  const { s, phase } = state;
  return [
    `**Posten signature job** ${s.signatureJobId ? `\`${s.signatureJobId}\`` : '(not created yet)'} · ${phase} · job status **${s.jobStatus}**`,
    '',
    signerTable(s.signers),
    '',
    `PAdES: ${s.pades ? 'stored' : '—'} · changes processed: ${s.changesProcessed} (redeliveries recognised: ${s.redeliveriesRecognised})` +
      (s.duplicateJobs.length
        ? ` · duplicate jobs: ${s.duplicateJobs.map((d) => `${d.signatureJobId} ${d.outcome}`).join(', ')}`
        : '') +
      (s.cancelRequested ? ' · cancel requested' : '') +
      (state.ignoredSignals ? ` · malformed signals ignored: ${state.ignoredSignals}` : ''),
    ...missingLine(s.documentsMissing),
    ...(phase === 'CREATE_UNCERTAIN'
      ? [
          '',
          'The create request may or may not have reached Posten. Waiting for a status change with this reference;',
          'an operator can resolve it with the update `postenResolveUncertainCreate` (RETRY_CREATE or ABANDON).',
        ]
      : []),
  ].join('\n');
}

export function statusPollerDetails(
  state: StatusPollerState,
  queueName: string,
  last: { dispatched: number; toUnowned: number },
): string {
  return [
    `**Posten status queue** \`${queueName}\` of ${state.sender}`,
    '',
    state.lastOutcome
      ? `Last drain: ${state.lastOutcome}, ${last.dispatched} change(s) routed (${last.toUnowned} to unowned-job workflows)`
      : 'Not drained yet in this run',
    `Totals: ${state.polls} polls, ${state.changesDispatched} changes routed, ${state.changesToUnowned} unowned · run ${state.runs}`,
    `Next permitted poll: ${state.nextPollAt}`,
  ].join('\n');
}

export function unownedJobDetails(run: UnownedJobRun, signatureJobId: string): string {
  const { s, mode } = run;
  const held = mode === 'HOLD' && !s.released;
  return [
    `**Unowned Posten job** \`${signatureJobId}\` · ${mode} · job status **${s.jobStatus ?? 'unknown'}**`,
    '',
    `Changes received: ${s.changesReceived}, confirmed: ${s.confirmed} · XAdES stored: ${s.xades.filter((x) => x).length} · PAdES: ${s.pades ? 'stored' : '—'}` +
      (run.ignoredSignals ? ` · malformed signals ignored: ${run.ignoredSignals}` : ''),
    ...missingLine(s.documentsMissing),
    ...(held
      ? [
          '',
          'No Ferje job workflow owns this job. Its documents are stored; the change is **not confirmed**.',
          'Decide with the update `postenReleaseUnowned`: `CONFIRM` or `CANCEL_AND_CONFIRM`.',
        ]
      : []),
  ].join('\n');
}
