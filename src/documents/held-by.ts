import type { BlobStore } from '../blobs/blob-store';
import { ReferencingBlobStore } from '../blobs/referencing-blob-store';

/**
 * `store`, recording what it stores and reads as held by `workflowId` rather than by the flow whose activity runs.
 * A store without a references ledger (tests, tools) is returned as it is: it records nothing for anyone.
 */
export function blobStoreHeldBy(store: BlobStore, workflowId: string): BlobStore {
  return store instanceof ReferencingBlobStore ? store.heldBy(workflowId) : store;
}
