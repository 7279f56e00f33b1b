import { mkdir, open, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { BlobRef } from '../../src/contract/blob-ref';
import type { BlobStore } from '../../src/blobs/blob-store';
import type { InboxFilter, IncomingConsumer, IncomingDelivery, StoredIncoming } from '../../src/contract/eformidling';
import { consumerWorkflowId } from '../../src/contract/eformidling';
import { searchAttributes } from '../../src/contract/search-attributes';
import { businessKey } from '../../src/contract/workflow-ids';
import { blobStoreHeldBy } from '../../src/documents/held-by';
import { listContainerEntries } from '../../src/integrations/eformidling/asic';
import { MessageNotFoundError, MessageNotLockedError } from '../../src/integrations/eformidling/errors';
import { sbdFacts } from '../../src/integrations/eformidling/sbd';
import type { EformidlingDeps } from './deps';
import { classify, notYet } from './failures';

export type Received = { kind: 'empty' } | { kind: 'message'; delivery: Omit<IncomingDelivery, 'inboxName'> };

export function createIncomingActivities(deps: () => EformidlingDeps) {
  /** Pop into the blob store; when the lock lapsed meanwhile, peek that messageId again (re-lock) and pop again. */
  async function popIntoStore(messageId: string, blobStore: BlobStore): Promise<BlobRef | undefined> {
    const { ip } = deps();
    for (let attempt = 0; ; attempt++) {
      try {
        let last = 0;
        const popped = await ip.popIncoming(messageId, {
          signal: Context.current().cancellationSignal,
          onProgress: (bytes) => {
            if (Date.now() - last > 500) {
              last = Date.now();
              Context.current().heartbeat({ messageId, bytes });
            }
          },
        });
        if (!popped) return undefined;
        const ref = await blobStore.put(popped.body, {
          mediaType: 'application/vnd.etsi.asic-e+zip',
          fileName: 'asic.zip',
        });
        if (popped.size !== undefined && ref.size !== popped.size)
          throw ApplicationFailure.create({
            message: 'The ASiC download was cut short',
            type: 'EformidlingIncompleteDownload',
          });
        return ref;
      } catch (err) {
        if (err instanceof MessageNotLockedError && attempt < 3) {
          if (!(await ip.peekIncoming({ messageId }))) throw notYet('The message is locked by another consumer');
          continue;
        }
        throw err;
      }
    }
  }

  return {
    /**
     * Peek (locks the oldest matching message for the IP's lock time) → pop the ASiC into the blob store → store the
     * SBD too. Returns the delivery for the consumer; nothing is deleted here. Both blobs are recorded in the
     * references ledger as held by the consumer flow the inbox hands them to (documents API access for the consumer's
     * caller, retention once that flow closed), never by the inbox, which never closes. `consumer` is absent only in
     * activity tasks an older inbox scheduled: those keep the old behaviour (held by the inbox).
     */
    async eformidlingReceiveNext(input: { filter?: InboxFilter; consumer?: IncomingConsumer }): Promise<Received> {
      const { ip } = deps();
      try {
        const sbd = await ip.peekIncoming(input.filter ?? {});
        if (!sbd) return { kind: 'empty' };
        const facts = sbdFacts(sbd);
        if (!facts.messageId)
          throw ApplicationFailure.create({ message: 'Peeked SBD has no messageId', type: 'FerjeMalformedResponse' });
        const blobStore = input.consumer
          ? blobStoreHeldBy(
              deps().blobStore,
              consumerWorkflowId(input.consumer, { ...facts, messageId: facts.messageId }),
            )
          : deps().blobStore;
        const asic = await popIntoStore(facts.messageId, blobStore);
        const sbdBlob = await blobStore.put(Buffer.from(JSON.stringify(sbd)), {
          mediaType: 'application/json',
          fileName: 'sbd.json',
        });
        return {
          kind: 'message',
          delivery: {
            messageId: facts.messageId,
            conversationId: facts.conversationId,
            documentType: facts.documentType,
            process: facts.process,
            senderIdentifier: facts.senderIdentifier,
            sbd: sbd,
            sbdBlob,
            ...(asic ? { asic } : {}),
            receivedAt: new Date().toISOString(),
          },
        };
      } catch (err) {
        return classify(err);
      }
    },

    /**
     * Hands a delivery to the caller's workflow by signal-with-start (workflow code cannot do that itself): starts it
     * with the delivery as argument if it is not running, and signals it the delivery either way. The inbox never
     * calls this twice for one messageId; a consumer keyed by conversationId receives each message as a signal.
     */
    async eformidlingSignalConsumer(input: {
      consumer: Extract<IncomingConsumer, { kind: 'signalWithStart' }>;
      delivery: IncomingDelivery;
    }): Promise<{ workflowId: string }> {
      const { consumer, delivery } = input;
      const key =
        consumer.keyBy === 'conversationId' && delivery.conversationId ? delivery.conversationId : delivery.messageId;
      const workflowId = consumerWorkflowId(consumer, delivery);
      await deps().temporal.workflow.signalWithStart(consumer.workflowType, {
        workflowId,
        taskQueue: consumer.taskQueue,
        args: [delivery],
        signal: consumer.signal,
        signalArgs: [delivery],
        typedSearchAttributes: [
          { key: searchAttributes.integration, value: 'eformidling' },
          { key: searchAttributes.externalReference, value: key },
          // The consuming system reads the message's documents through the documents API (a new start only).
          ...(consumer.callerId ? [{ key: searchAttributes.caller, value: consumer.callerId }] : []),
        ],
      });
      return { workflowId };
    },

    /**
     * `DELETE /api/messages/in/{id}` once the consumer has the message. If the lock expired meanwhile (400
     * MessageNotLocked), peek that messageId to lock it again and delete; 404 means it is already gone.
     */
    async eformidlingAcknowledgeIncoming(input: {
      messageId: string;
    }): Promise<{ relocked: boolean; alreadyGone: boolean }> {
      const { ip } = deps();
      try {
        try {
          await ip.deleteIncoming(input.messageId);
          return { relocked: false, alreadyGone: false };
        } catch (err) {
          if (err instanceof MessageNotFoundError) return { relocked: false, alreadyGone: true };
          if (!(err instanceof MessageNotLockedError)) throw err;
        }
        const again = await ip.peekIncoming({ messageId: input.messageId });
        if (!again) {
          // Locked by someone else (its lock will lapse) or deleted in between: try again later.
          throw notYet('The message could not be re-locked for deletion yet');
        }
        try {
          await ip.deleteIncoming(input.messageId);
        } catch (err) {
          if (err instanceof MessageNotFoundError) return { relocked: true, alreadyGone: true };
          throw err;
        }
        return { relocked: true, alreadyGone: false };
      } catch (err) {
        return classify(err);
      }
    },

    /**
     * The store-and-record consumer's step: both blobs are in the store (checked), the container's entries are listed,
     * and one journal line of references (no content, no names) is appended — once per messageId.
     */
    async eformidlingRecordIncoming(delivery: IncomingDelivery): Promise<StoredIncoming> {
      const { blobStore, config } = deps();
      for (const ref of [delivery.sbdBlob, delivery.asic]) {
        if (ref && !(await blobStore.has(ref)))
          throw ApplicationFailure.create({
            message: 'A blob of the delivery is missing from the store',
            type: 'EformidlingBlobMissing',
            nonRetryable: true,
          });
      }
      let documents: { name: string; size: number }[] = [];
      const local = delivery.asic ? blobStore.localPath?.(delivery.asic) : undefined;
      if (local) {
        documents = (await listContainerEntries(local)).filter(
          (e) => e.name !== 'mimetype' && !e.name.startsWith('META-INF/'),
        );
      }
      const dir = path.dirname(config.receiptJournal);
      const markers = path.join(dir, 'recorded');
      await mkdir(markers, { recursive: true });
      let alreadyRecorded = false;
      try {
        // The marker is created atomically: a retried activity or a redelivery never records twice.
        await (await open(path.join(markers, businessKey('m', delivery.messageId).slice(2)), 'wx')).close();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        alreadyRecorded = true;
      }
      if (!alreadyRecorded) {
        const line = {
          recordedAt: new Date().toISOString(),
          messageId: delivery.messageId,
          conversationId: delivery.conversationId,
          inboxName: delivery.inboxName,
          documentType: delivery.documentType,
          process: delivery.process,
          sbd: delivery.sbdBlob.sha256,
          asic: delivery.asic?.sha256,
          asicBytes: delivery.asic?.size,
          documents: documents.length,
        };
        await appendFile(config.receiptJournal, `${JSON.stringify(line)}\n`);
      }
      return {
        messageId: delivery.messageId,
        conversationId: delivery.conversationId,
        documentType: delivery.documentType,
        asic: delivery.asic,
        sbdBlob: delivery.sbdBlob,
        documents,
        alreadyRecorded,
      };
    },
  };
}
