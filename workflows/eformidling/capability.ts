import type { CapabilitySummary } from '../../activities/eformidling';
import type { DocumentType, ServiceIdentifier } from '../../src/contract/eformidling';

/**
 * Picks the capability to send with: same process, the document type listed, and the required transport if the
 * caller insisted on one. The registry lists the preferred route first (DPO before DPF before DPV), so the first
 * match wins. `UNKNOWN` is never usable.
 */
export function selectCapability(
  capabilities: CapabilitySummary[],
  wanted: { process: string; documentType: DocumentType; serviceIdentifier?: ServiceIdentifier },
): CapabilitySummary | undefined {
  return capabilities.find(
    (c) =>
      c.process === wanted.process &&
      c.serviceIdentifier !== 'UNKNOWN' &&
      c.documentTypes.includes(wanted.documentType) &&
      (!wanted.serviceIdentifier || c.serviceIdentifier === wanted.serviceIdentifier),
  );
}
