import {
  validateIncomingDelivery,
  type IncomingDelivery,
  type StoredIncoming,
  type StoreIncomingStatus,
} from '../../src/contract/eformidling';
import { createOperatorView, guardedWorkflow } from '../common';
import { store } from './activities';
import { incomingDetails } from './details';

const journal = store('check the stored blobs, list the container, record in the journal');

/**
 * Ferje's default consumer of incoming messages ("store and record"): the inbox already stored the SBD and the ASiC
 * in the blob store; this records them once in the receipt journal (references only) and returns the document list.
 * A case system replaces it with its own workflow type (EFORMIDLING_INBOXES consumer).
 */
export const eformidlingStoreIncoming = guardedWorkflow<IncomingDelivery, StoredIncoming>(
  'eFormidling incoming delivery',
  validateIncomingDelivery,
  async (delivery) => {
    const stored = await journal.eformidlingRecordIncoming(delivery);
    createOperatorView<StoreIncomingStatus>(() => incomingDetails(delivery, stored)).show('RECORDED');
    return stored;
  },
);
