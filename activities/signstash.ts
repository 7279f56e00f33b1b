import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BlobRef } from '../src/contract/blob-ref';
import {
  signstashFailureTypes,
  type InstanceGoneReason,
  type PreparedDocument,
  type SignatureOperationOptions,
  type SignatureOperationPolicy,
  type SignedDocumentResult,
  type SignstashDocumentInput,
  type SignstashOperationStatus,
  type SignstashPlacement,
} from '../src/contract/signstash';
import { SignstashClient } from '../src/integrations/signstash/client';
import {
  loadSignstashConfig,
  type ClientServiceCredentials,
  type SignstashConfig,
} from '../src/integrations/signstash/config';
import {
  SignstashMalformedResponseError,
  SignstashOperationNotFoundError,
  SignstashOperationPendingError,
  SignstashReferenceInUseError,
  SignstashServerError,
  SignstashUnreachableError,
} from '../src/integrations/signstash/errors';
import { toApplicationFailure } from '../src/integrations/signstash/failures';
import type { AsyncOperation, SignRequest } from '../src/integrations/signstash/model';
import type { IntegrationContext } from '../src/platform/integration';

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

export interface StartOperationInput {
  clientServiceId: string;
  externalReference: string;
  description: string;
  manifest: BlobRef;
}
export interface StartOperationOutput {
  operationId: string;
  host: string;
  port: number;
  status: SignstashOperationStatus;
  retryAfterMs?: number;
  /** True when a retried start found the operation its earlier attempt had created, instead of creating another. */
  adopted: boolean;
}

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

/** Mime type of what Sign'Stash returns for a document (CAdES wraps the input in a CMS envelope). */
function signedMediaType(doc: PreparedDocument): string {
  return doc.signatureType === 'CAdES' ? 'application/pkcs7-mime' : doc.contentType;
}

export function createSignstashActivities(ctx: IntegrationContext) {
  // Created on first use and kept for the life of the worker process: one token cache and one pool per instance.
  let runtime: { config: SignstashConfig; client: SignstashClient } | undefined;
  const rt = (): { config: SignstashConfig; client: SignstashClient } => {
    if (!runtime) {
      const config = loadSignstashConfig(ctx.env);
      runtime = { config, client: new SignstashClient(config) };
    }
    return runtime;
  };
  const credentialsFor = (clientServiceId: string): ClientServiceCredentials => {
    const credentials = rt().config.credentials.get(clientServiceId);
    if (!credentials) {
      throw ApplicationFailure.nonRetryable(
        `Client service ${clientServiceId} is not configured in this Ferje deployment`,
        signstashFailureTypes.unknownClientService,
      );
    }
    return credentials;
  };
  const readManifest = async (ref: BlobRef): Promise<PreparedDocument[]> => {
    const chunks: Buffer[] = [];
    for await (const chunk of await ctx.blobStore.get(ref)) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as PreparedDocument[];
  };
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toApplicationFailure(err);
      }
    };
  const signal = (): AbortSignal => Context.current().cancellationSignal;

  return {
    /** Stores inline documents, checks referenced ones, writes the manifest and resolves the policy. */
    signstashPrepareDocuments: guarded(async (input: PrepareDocumentsInput): Promise<PrepareDocumentsOutput> => {
      const { config } = rt();
      credentialsFor(input.clientServiceId);
      const prepared: PreparedDocument[] = [];
      for (const [index, doc] of input.documents.entries()) {
        let content: BlobRef;
        if (doc.content.base64 !== undefined) {
          content = await ctx.blobStore.put(Buffer.from(doc.content.base64, 'base64'), {
            mediaType: doc.contentType,
            fileName: doc.name,
          });
        } else {
          if (!(await ctx.blobStore.has(doc.content.blob))) {
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
      const manifest = await ctx.blobStore.put(Buffer.from(JSON.stringify(prepared)), {
        mediaType: 'application/json',
      });
      const o = input.options ?? {};
      const d = config.defaults;
      return {
        manifest,
        documentCount: prepared.length,
        policy: {
          onInstanceLost: o.onInstanceLost ?? d.onInstanceLost,
          instanceLostAfterMs:
            o.instanceLostAfterSeconds !== undefined ? o.instanceLostAfterSeconds * 1000 : d.instanceLostAfterMs,
          maxRestarts: o.maxRestarts ?? d.maxRestarts,
          operationTimeoutMs:
            o.operationTimeoutSeconds !== undefined ? o.operationTimeoutSeconds * 1000 : d.operationTimeoutMs,
          startRetryIntervalMs: d.startRetryIntervalMs,
          firstPollDelayMs: d.firstPollDelayMs,
          maxPollDelayMs: d.maxPollDelayMs,
          maxPollsPerRun: d.maxPollsPerRun,
        },
      };
    }),

    /**
     * Registers the operation through the load balancer. A retried attempt first looks for the operation its
     * predecessor may have created (the answer can be lost after the proxy accepted it) and adopts it, so a crash
     * never leaves two operations signing the same documents.
     */
    signstashStartOperation: guarded(async (input: StartOperationInput): Promise<StartOperationOutput> => {
      const { client, config } = rt();
      const credentials = credentialsFor(input.clientServiceId);
      const info = Context.current().info;
      const notBeforeMs = info.scheduledTimestampMs - config.clockSkewMs;
      const adopt = async (): Promise<StartOperationOutput | undefined> => {
        const found = await client.locate(credentials, input.externalReference, signal());
        const op = found?.operations.find((o) => adoptable(o, notBeforeMs));
        if (!op) return undefined;
        ctx.logger.info('adopted operation from an earlier start attempt', {
          operationId: op.id,
          attempt: info.attempt,
        });
        return { operationId: op.id, host: op.instance.host, port: op.instance.port, status: op.status, adopted: true };
      };
      if (info.attempt > 1) {
        const adopted = await adopt();
        if (adopted) return adopted;
      }
      const documents = await readManifest(input.manifest);
      const request: SignRequest = {
        externalReference: input.externalReference,
        description: input.description,
        documents: documents.map((doc) => ({
          externalReference: doc.externalReference,
          name: doc.name,
          contentType: doc.contentType,
          content: { open: () => ctx.blobStore.get(doc.content) },
          signature: {
            signatureType: doc.signatureType,
            applyTimestamp: doc.applyTimestamp,
            reason: doc.reason,
            location: doc.location,
            visibleSignature: doc.visibleSignature,
            advancedSignature: doc.advancedSignature,
          },
        })),
      };
      try {
        const started = await client.startAsync(credentials, request, signal());
        const op = started.operation;
        return {
          operationId: op.id,
          host: op.instance.host,
          port: op.instance.port,
          status: op.status,
          ...(started.retryAfterMs !== undefined ? { retryAfterMs: started.retryAfterMs } : {}),
          adopted: false,
        };
      } catch (err) {
        if (err instanceof SignstashReferenceInUseError && info.attempt > 1) {
          const adopted = await adopt();
          if (adopted) return adopted;
        }
        throw err;
      }
    }),

    /** One status check on the owning instance. "Gone" is an answer, not an error: the workflow keeps the clock. */
    signstashCheckStatus: guarded(async (input: OperationRef): Promise<CheckStatusOutput> => {
      const { client } = rt();
      const { placement } = input;
      try {
        const report = await client.status(
          credentialsFor(input.clientServiceId),
          placement,
          placement.externalReference,
          signal(),
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
    }),

    /** Fetches the final result from the owning instance and streams every signed document into the blob store. */
    signstashFetchResult: guarded(async (input: OperationRef & { manifest: BlobRef }): Promise<FetchResultOutput> => {
      const { client } = rt();
      const { placement } = input;
      const manifest = await readManifest(input.manifest);
      const byReference = new Map(manifest.map((doc) => [doc.externalReference, doc]));
      const heartbeat = (): void => Context.current().heartbeat();
      try {
        const result = await client.result(
          credentialsFor(input.clientServiceId),
          placement,
          placement.externalReference,
          async (_index, content) => {
            const ref = await ctx.blobStore.put(content);
            heartbeat();
            return ref;
          },
          signal(),
        );
        if (result.asyncOperationId !== undefined && result.asyncOperationId !== placement.operationId) {
          // A newer operation under the same reference shadows ours on that instance.
          return { kind: 'gone', reason: 'unknown-operation' };
        }
        const documents = result.documents.map((doc): SignedDocumentResult => {
          const ours = byReference.get(doc.externalReference);
          if (!ours) {
            throw new SignstashMalformedResponseError(
              `Sign'Stash result lists document ${doc.index}, which was not sent`,
            );
          }
          const out: SignedDocumentResult = {
            index: ours.index,
            externalReference: doc.externalReference,
            signStatus: doc.signStatus,
          };
          if (doc.signError) out.signError = doc.signError;
          if (doc.signStatus === 'SIGNED') {
            if (!doc.stored) {
              throw new SignstashMalformedResponseError(
                `Sign'Stash result has no signed content for document ${ours.index}`,
              );
            }
            out.signed = {
              ...doc.stored,
              mediaType: signedMediaType(ours),
              fileName: ours.signatureType === 'CAdES' ? `${ours.name}.p7m` : ours.name,
            };
          }
          return out;
        });
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
    }),
  };
}

export type SignstashActivities = ReturnType<typeof createSignstashActivities>;

/** An operation a retried start may take over: created by an earlier attempt of this very activity. */
function adoptable(op: AsyncOperation, notBeforeMs: number): boolean {
  const created = Date.parse(op.creationDate);
  return (
    (op.status === 'PENDING_EXECUTION' || op.status === 'EXECUTED' || op.status === 'EXECUTION_ERROR') &&
    created >= notBeforeMs
  );
}

function goneReason(err: unknown): InstanceGoneReason | undefined {
  if (err instanceof SignstashUnreachableError) return 'unreachable';
  if (err instanceof SignstashOperationNotFoundError) return 'unknown-operation';
  if (err instanceof SignstashServerError || err instanceof SignstashMalformedResponseError) return 'unhealthy';
  return undefined;
}
