import { Context } from '@temporalio/activity';
import { withHeartbeats } from '../common/heartbeat';
import type { BlobRef } from '../../src/contract/blob-ref';
import type { SignstashOperationStatus } from '../../src/contract/signstash';
import { SignstashReferenceInUseError } from '../../src/integrations/signstash/errors';
import type { AsyncOperation, SignRequest } from '../../src/integrations/signstash/model';
import type { SignstashRuntime } from './runtime';

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

/**
 * Registers the operation through the load balancer. A retried attempt first looks for the operation its predecessor
 * may have created (the answer can be lost after the proxy accepted it, or the worker died mid-upload) and adopts it,
 * so a crash never leaves two operations signing the same documents. Heartbeats while the documents stream, so a
 * crashed worker's attempt is retried within the heartbeat timeout rather than after the start-to-close timeout.
 */
export function startOperation(rt: SignstashRuntime) {
  return (input: StartOperationInput): Promise<StartOperationOutput> =>
    withHeartbeats(async (signal) => {
      const client = rt.client();
      const credentials = rt.credentialsFor(input.clientServiceId);
      const info = Context.current().info;
      const notBeforeMs = info.scheduledTimestampMs - rt.config().clockSkewMs;
      const adopt = async (): Promise<StartOperationOutput | undefined> => {
        const found = await client.locate(credentials, input.externalReference, signal);
        const op = found?.operations.find((o) => adoptable(o, notBeforeMs));
        if (!op) return undefined;
        rt.ctx.logger.info('adopted operation from an earlier start attempt', {
          operationId: op.id,
          attempt: info.attempt,
        });
        return { operationId: op.id, host: op.instance.host, port: op.instance.port, status: op.status, adopted: true };
      };
      if (info.attempt > 1) {
        const adopted = await adopt();
        if (adopted) return adopted;
      }
      const documents = await rt.readManifest(input.manifest);
      const request: SignRequest = {
        externalReference: input.externalReference,
        description: input.description,
        documents: documents.map((doc) => ({
          externalReference: doc.externalReference,
          name: doc.name,
          contentType: doc.contentType,
          content: { open: () => rt.ctx.blobStore.get(doc.content) },
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
        const started = await client.startAsync(credentials, request, signal);
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
    });
}

/** An operation a retried start may take over: created by an earlier attempt of this very activity. */
function adoptable(op: AsyncOperation, notBeforeMs: number): boolean {
  const created = Date.parse(op.creationDate);
  return (
    (op.status === 'PENDING_EXECUTION' || op.status === 'EXECUTED' || op.status === 'EXECUTION_ERROR') &&
    created >= notBeforeMs
  );
}
