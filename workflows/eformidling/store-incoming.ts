import { proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { EformidlingActivities } from '../../activities/eformidling';
import type { IncomingDelivery, StoredIncoming } from '../../src/contract/eformidling';
import { searchAttributes } from '../../src/contract/search-attributes';

const { eformidlingRecordIncoming } = proxyActivities<EformidlingActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
  summary: 'check the stored blobs, list the container, record in the journal',
});

/**
 * Ferje's default consumer of incoming messages ("store and record"): the inbox already stored the SBD and the ASiC
 * in the blob store; this records them once in the receipt journal (references only) and returns the document list.
 * A case system replaces it with its own workflow type (EFORMIDLING_INBOXES consumer).
 */
export async function eformidlingStoreIncoming(delivery: IncomingDelivery): Promise<StoredIncoming> {
  const stored = await eformidlingRecordIncoming(delivery);
  setCurrentDetails(
    `**eFormidling incoming message** \`${delivery.messageId}\`\n\n- Type: ${delivery.documentType ?? '–'}\n- Documents in the container: ${stored.documents.length}\n- ASiC: ${delivery.asic ? `${delivery.asic.size} bytes, sha256 \`${delivery.asic.sha256.slice(0, 16)}…\`` : 'none (receipt)'}${stored.alreadyRecorded ? '\n- Already in the journal (redelivery)' : ''}`,
  );
  upsertSearchAttributes([{ key: searchAttributes.status, value: 'RECORDED' }]);
  return stored;
}
