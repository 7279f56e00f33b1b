import type { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import type { BlobRef } from '../contract/blob-ref';
import type { ReferenceLedger } from '../documents/ledger';
import type { BlobMetadata, BlobRange, BlobStat, BlobStore } from './blob-store';

/** The workflow whose activity is running, or undefined outside an activity (API, CLI, demos). */
export function currentActivityWorkflowId(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined;
  }
}

/**
 * A BlobStore that writes, for every blob an activity stores or reads, "this workflow references it" into the
 * references ledger. That is how the documents API knows a signed PAdES belongs to the flow a caller started, and how
 * retention knows which flows still need a document. Integrations keep using the plain BlobStore interface.
 */
export class ReferencingBlobStore implements BlobStore {
  readonly localPath?: (ref: Pick<BlobRef, 'sha256'>) => string;

  constructor(
    readonly inner: BlobStore,
    readonly ledger: ReferenceLedger,
    private readonly holderOf: () => string | undefined = currentActivityWorkflowId,
    private readonly onRecordError: (err: unknown) => void = () => undefined,
  ) {
    const innerLocalPath = inner.localPath?.bind(inner);
    if (innerLocalPath) {
      this.localPath = (ref) => {
        const local = innerLocalPath(ref);
        // Synchronous by contract; the record follows a moment later (long before any retention grace time ends).
        this.note(ref.sha256).catch(this.onRecordError);
        return local;
      };
    }
  }

  /**
   * The same store, recording `workflowId` as the holder instead of the running activity's flow: for an activity that
   * stores documents on behalf of another flow (the eFormidling inbox stores each incoming message for the consumer
   * flow it is about to hand it to, so that the never-closing inbox never holds a document itself).
   */
  heldBy(workflowId: string): ReferencingBlobStore {
    return new ReferencingBlobStore(this.inner, this.ledger, () => workflowId, this.onRecordError);
  }

  private async note(sha256: string, metadata: BlobMetadata = {}): Promise<void> {
    const workflowId = this.holderOf();
    if (!workflowId) return;
    await this.ledger.record(sha256, {
      holder: { kind: 'workflow', workflowId },
      recordedAtMs: Date.now(),
      ...(metadata.mediaType !== undefined ? { mediaType: metadata.mediaType } : {}),
      ...(metadata.fileName !== undefined ? { fileName: metadata.fileName } : {}),
    });
  }

  async put(content: Readable | AsyncIterable<Uint8Array> | Uint8Array, metadata?: BlobMetadata): Promise<BlobRef> {
    const ref = await this.inner.put(content, metadata);
    await this.note(ref.sha256, metadata);
    return ref;
  }

  async get(ref: Pick<BlobRef, 'sha256'>, range?: BlobRange): Promise<Readable> {
    const stream = await this.inner.get(ref, range);
    await this.note(ref.sha256).catch((err: unknown) => {
      stream.destroy();
      throw err;
    });
    return stream;
  }

  async has(ref: Pick<BlobRef, 'sha256'>): Promise<boolean> {
    const present = await this.inner.has(ref);
    if (present) await this.note(ref.sha256);
    return present;
  }

  async stat(ref: Pick<BlobRef, 'sha256'>): Promise<BlobStat | undefined> {
    const found = await this.inner.stat(ref);
    if (found) await this.note(ref.sha256);
    return found;
  }

  delete(ref: Pick<BlobRef, 'sha256'>): Promise<boolean> {
    return this.inner.delete(ref);
  }

  list(): AsyncIterable<BlobStat> {
    return this.inner.list();
  }
}
