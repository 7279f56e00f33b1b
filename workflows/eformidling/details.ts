import type {
  InboxInput,
  InboxState,
  IncomingDelivery,
  OutgoingMessageState,
  StatusQueueReaderTotals,
  StoredIncoming,
} from '../../src/contract/eformidling';

/** The operator views ("current details" in the UI) of the eFormidling workflows: markdown, no personal data. */

export function messageDetails(s: OutgoingMessageState): string {
  const lines = [
    `**eFormidling message** \`${s.messageId}\``,
    '',
    `- Phase: **${s.phase}**`,
    `- Transport: ${s.serviceIdentifier ?? '–'}${s.sendMode ? ` (${s.sendMode})` : ''}${s.resumedExisting ? ', resumed an existing message' : ''}`,
    `- Files uploaded: ${s.filesUploaded}/${s.filesTotal}`,
    `- Lifetime ends: ${s.deadline}`,
  ];
  if (s.nextPollAt) lines.push(`- Next status poll: ${s.nextPollAt} (sooner on a webhook)`);
  if (s.refutedHints) lines.push(`- Hints the IP's record did not confirm (ignored): ${s.refutedHints}`);
  if (s.ignoredSignals) lines.push(`- Malformed signals ignored: ${s.ignoredSignals}`);
  if (s.sendsWithUnknownOutcome)
    lines.push(
      `- Sends whose answer never came: ${s.sendsWithUnknownOutcome}; sent again after no evidence: ${s.resends ?? 0}`,
    );
  if (s.statuses.length > 0) {
    lines.push('', '| Status | At | Heard by |', '|---|---|---|');
    for (const st of s.statuses) lines.push(`| ${st.status} | ${st.at} | ${st.source} |`);
  }
  return lines.join('\n');
}

export function inboxDetails(input: InboxInput, state: InboxState): string {
  const filter =
    Object.entries(input.filter ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ') || 'none';
  const lines = [
    `**eFormidling inbox** \`${input.inboxName}\``,
    '',
    `- Phase: **${state.phase}**${state.current ? ` (message \`${state.current}\`)` : ''}`,
    `- Filter: ${filter}`,
    `- Consumer: ${input.consumer.kind} \`${input.consumer.workflowType}\``,
    `- Handed over: ${state.totals.handed}; redeliveries dropped: ${state.totals.duplicatesDropped}; re-locks: ${state.totals.lockRenewals}`,
  ];
  if (state.webhooks) lines.push(`- Webhooks: ${webhookLine(state.webhooks)}`);
  if (state.ignoredSignals) lines.push(`- Malformed signals ignored: ${state.ignoredSignals}`);
  return lines.join('\n');
}

function webhookLine(w: NonNullable<InboxState['webhooks']>): string {
  if (w.state === 'active') return `active (since ${w.at}): arrivals wake this inbox at once`;
  const why = w.reason ? ` (${w.reason})` : '';
  const what = w.state === 'refused' ? '**refused by the IP**' : '**not confirmed**: the IP could not be asked';
  return `${what}${why} at ${w.at}; this inbox polls every poll interval instead`;
}

export function readerDetails(totals: StatusQueueReaderTotals): string {
  return `**eFormidling status queue reader**\n\n- Routed to message workflows: ${totals.dispatched}\n- Not Ferje's (acknowledged): ${totals.withoutWorkflow}`;
}

export function incomingDetails(delivery: IncomingDelivery, stored: StoredIncoming): string {
  return `**eFormidling incoming message** \`${delivery.messageId}\`\n\n- Type: ${delivery.documentType ?? '–'}\n- Documents in the container: ${stored.documents.length}\n- ASiC: ${delivery.asic ? `${delivery.asic.size} bytes, sha256 \`${delivery.asic.sha256.slice(0, 16)}…\`` : 'none (receipt)'}${stored.alreadyRecorded ? '\n- Already in the journal (redelivery)' : ''}`;
}
