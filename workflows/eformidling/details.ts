import type { OutgoingMessageState } from '../../src/contract/eformidling';

/** The UI's "current details" of a message workflow: phase, transport and the status history (no personal data). */
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
  if (s.statuses.length > 0) {
    lines.push('', '| Status | At | Heard by |', '|---|---|---|');
    for (const st of s.statuses) lines.push(`| ${st.status} | ${st.at} | ${st.source} |`);
  }
  return lines.join('\n');
}
