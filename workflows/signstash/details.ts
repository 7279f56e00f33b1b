import type { SignatureOperationPolicy, SignatureOperationState } from '../../src/contract/signstash';

/** The live markdown in the Temporal UI: counts, opaque references and instance addresses only. */
export function operationDetails(state: SignatureOperationState, policy: SignatureOperationPolicy | undefined): string {
  const lines = [`**Sign'Stash signature operation** · ${state.documentCount} document(s) · phase *${state.phase}*`];
  const p = state.placement;
  if (p) {
    lines.push(`- Instance: \`${p.host}:${p.port}\` · operation \`${p.operationId}\``);
    lines.push(`- Reference at Sign'Stash: \`${p.externalReference}\``);
  }
  if (state.status) {
    const signed = state.signedCount !== undefined ? ` · ${state.signedCount}/${state.documentCount} signed` : '';
    lines.push(`- Status: **${state.status}**${signed} · ${state.statusChecks} status check(s)`);
  }
  if (state.goneSinceMs !== undefined && policy) {
    lines.push(
      `- ⚠ Instance gone (${state.goneReason}) since ${new Date(state.goneSinceMs).toISOString()}; ` +
        `after ${Math.round(policy.instanceLostAfterMs / 1000)} s it counts as lost → **${policy.onInstanceLost}**`,
    );
  }
  if (state.restarts > 0) lines.push(`- Restarted on another instance ${state.restarts} time(s)`);
  return lines.join('\n');
}
