import { Context } from '@temporalio/activity';
import { withHeartbeats } from '../common/heartbeat';
import type { BlobRef } from '../../src/contract/blob-ref';
import type {
  InstanceGoneReason,
  PreparedDocument,
  SignedDocumentResult,
  SignstashOperationStatus,
  SignstashPlacement,
} from '../../src/contract/signstash';
import {
  SignstashMalformedResponseError,
  SignstashOperationNotFoundError,
  SignstashOperationPendingError,
  SignstashServerError,
  SignstashUnreachableError,
} from '../../src/integrations/signstash/errors';
import type { SignResultDocument } from '../../src/integrations/signstash/model';
import type { SignstashRuntime } from './runtime';

export interface OperationRef {
  clientServiceId: string;
  placement: SignstashPlacement;
}
export type CheckStatusOutput =
  | {
      kind: 'status';
      status: SignstashOperationStatus;
      documentCount: number;
      signedCount?: number;
      retryAfterMs?: number;
      error?: { errorCode: string; errorCodeDescription: string };
    }
  | { kind: 'gone'; reason: InstanceGoneReason };

export type FetchResultOutput =
  | {
      kind: 'result';
      status: SignstashOperationStatus;
      documents: SignedDocumentResult[];
      error?: { errorCode: string; errorCodeDescription: string };
    }
  | { kind: 'pending' }
  | { kind: 'gone'; reason: InstanceGoneReason };

/** One status check on the owning instance. "Gone" is an answer, not an error: the workflow keeps the clock. */
export function checkStatus(rt: SignstashRuntime) {
  return async (input: OperationRef): Promise<CheckStatusOutput> => {
    const { placement } = input;
    try {
      const report = await rt
        .client()
        .status(
          rt.credentialsFor(input.clientServiceId),
          placement,
          placement.externalReference,
          Context.current().cancellationSignal,
        );
      const op = report.operations.find((o) => o.id === placement.operationId);
      if (!op) return { kind: 'gone', reason: 'unknown-operation' };
      return {
        kind: 'status',
        status: op.status,
        documentCount: op.documentCount,
        ...(op.signedCount !== undefined ? { signedCount: op.signedCount } : {}),
        ...(report.retryAfterMs !== undefined ? { retryAfterMs: report.retryAfterMs } : {}),
        ...(op.error
          ? { error: { errorCode: op.error.errorCode, errorCodeDescription: op.error.errorCodeDescription } }
          : {}),
      };
    } catch (err) {
      const gone = goneReason(err);
      if (gone) return { kind: 'gone', reason: gone };
      throw err;
    }
  };
}

/** Fetches the final result from the owning instance and streams every signed document into the blob store. */
export function fetchResult(rt: SignstashRuntime) {
  return (input: OperationRef & { manifest: BlobRef }): Promise<FetchResultOutput> =>
    withHeartbeats(async (signal) => {
      const { placement } = input;
      const manifest = await rt.readManifest(input.manifest);
      try {
        const result = await rt
          .client()
          .result(
            rt.credentialsFor(input.clientServiceId),
            placement,
            placement.externalReference,
            (_index, content) => rt.ctx.blobStore.put(content),
            signal,
          );
        if (result.asyncOperationId !== undefined && result.asyncOperationId !== placement.operationId) {
          // A newer operation under the same reference shadows ours on that instance.
          return { kind: 'gone', reason: 'unknown-operation' };
        }
        const byReference = new Map(manifest.map((doc) => [doc.externalReference, doc]));
        const documents = result.documents.map((doc) => signedDocument(doc, byReference.get(doc.externalReference)));
        documents.sort((a, b) => a.index - b.index);
        return {
          kind: 'result',
          status: result.status,
          documents,
          ...(result.error
            ? { error: { errorCode: result.error.errorCode, errorCodeDescription: result.error.errorCodeDescription } }
            : {}),
        };
      } catch (err) {
        if (err instanceof SignstashOperationPendingError) return { kind: 'pending' };
        const gone = goneReason(err);
        if (gone) return { kind: 'gone', reason: gone };
        throw err;
      }
    });
}

function signedDocument(doc: SignResultDocument<BlobRef>, ours: PreparedDocument | undefined): SignedDocumentResult {
  if (!ours)
    throw new SignstashMalformedResponseError(`Sign'Stash result lists document ${doc.index}, which was not sent`);
  const out: SignedDocumentResult = {
    index: ours.index,
    externalReference: doc.externalReference,
    signStatus: doc.signStatus,
  };
  if (doc.signError) out.signError = doc.signError;
  if (doc.signStatus === 'SIGNED') {
    if (!doc.stored) {
      throw new SignstashMalformedResponseError(`Sign'Stash result has no signed content for document ${ours.index}`);
    }
    out.signed = {
      ...doc.stored,
      mediaType: signedMediaType(ours),
      fileName: ours.signatureType === 'CAdES' ? `${ours.name}.p7m` : ours.name,
    };
  }
  return out;
}

/** Mime type of what Sign'Stash returns for a document (CAdES wraps the input in a CMS envelope). */
function signedMediaType(doc: PreparedDocument): string {
  return doc.signatureType === 'CAdES' ? 'application/pkcs7-mime' : doc.contentType;
}

function goneReason(err: unknown): InstanceGoneReason | undefined {
  if (err instanceof SignstashUnreachableError) return 'unreachable';
  if (err instanceof SignstashOperationNotFoundError) return 'unknown-operation';
  if (err instanceof SignstashServerError || err instanceof SignstashMalformedResponseError) return 'unhealthy';
  return undefined;
}
