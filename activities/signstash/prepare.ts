import { ApplicationFailure } from '@temporalio/common';
import { withHeartbeats } from '../common/heartbeat';
import type { BlobRef } from '../../src/contract/blob-ref';
import {
  signstashFailureTypes,
  type PreparedDocument,
  type SignatureOperationOptions,
  type SignatureOperationPolicy,
  type SignstashDocumentInput,
} from '../../src/contract/signstash';
import type { SignstashConfig } from '../../src/modules/signstash/config';
import type { SignstashRuntime } from './runtime';

export interface PrepareDocumentsInput {
  clientServiceId: string;
  documents: SignstashDocumentInput[];
  options?: SignatureOperationOptions;
}
export interface PrepareDocumentsOutput {
  /** The prepared documents as a JSON manifest in the blob store: later activities read it, history stays small. */
  manifest: BlobRef;
  documentCount: number;
  policy: SignatureOperationPolicy;
}

/**
 * Stores inline documents, checks referenced ones, writes the manifest and resolves the policy. Heartbeats all along
 * (thousands of documents take a while): a crashed worker's attempt is noticed at the heartbeat timeout.
 */
export function prepareDocuments(rt: SignstashRuntime) {
  return (input: PrepareDocumentsInput): Promise<PrepareDocumentsOutput> =>
    withHeartbeats(async () => {
      const { blobStore } = rt.ctx;
      rt.credentialsFor(input.clientServiceId);
      const prepared: PreparedDocument[] = [];
      for (const [index, doc] of input.documents.entries()) {
        let content: BlobRef;
        if (doc.content.base64 !== undefined) {
          content = await blobStore.put(Buffer.from(doc.content.base64, 'base64'), {
            mediaType: doc.contentType,
            fileName: doc.name,
          });
        } else {
          if (!(await blobStore.has(doc.content.blob))) {
            throw ApplicationFailure.nonRetryable(
              `Document ${index} references a blob that is not in Ferje's blob store`,
              signstashFailureTypes.documentMissing,
            );
          }
          content = { ...doc.content.blob, mediaType: doc.contentType, fileName: doc.name };
        }
        const { content: _inline, ...rest } = doc;
        prepared.push({ ...rest, index, content });
      }
      const manifest = await blobStore.put(Buffer.from(JSON.stringify(prepared)), { mediaType: 'application/json' });
      return { manifest, documentCount: prepared.length, policy: effectivePolicy(input.options, rt.config()) };
    });
}

/** Caller options over the deployment's defaults. */
function effectivePolicy(
  options: SignatureOperationOptions | undefined,
  config: SignstashConfig,
): SignatureOperationPolicy {
  const o = options ?? {};
  const d = config.defaults;
  return {
    ...d,
    onInstanceLost: o.onInstanceLost ?? d.onInstanceLost,
    instanceLostAfterMs:
      o.instanceLostAfterSeconds !== undefined ? o.instanceLostAfterSeconds * 1000 : d.instanceLostAfterMs,
    maxRestarts: o.maxRestarts ?? d.maxRestarts,
    operationTimeoutMs:
      o.operationTimeoutSeconds !== undefined ? o.operationTimeoutSeconds * 1000 : d.operationTimeoutMs,
  };
}
