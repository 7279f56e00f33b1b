import { Context } from '@temporalio/activity';
import type { OutgoingFile, Receiver, Sender, StatusEntry } from '../../src/contract/eformidling';
import type { DocumentType, ServiceIdentifier } from '../../src/contract/eformidling';
import { transportFileProblems } from '../../src/contract/eformidling';
import {
  DuplicateFilenameError,
  MessageAlreadyExistsError,
  MessageNotFoundError,
  ReceiverNotFoundError,
  SbdValidationError,
  TransportLimitExceededError,
} from '../../src/integrations/eformidling/errors';
import type { MessageStatusDto } from '../../src/integrations/eformidling/model';
import { buildSbd, lookupIdentifier } from '../../src/integrations/eformidling/sbd';
import type { EformidlingDeps } from './deps';
import { classify, notYet } from './failures';
import { streamedFile } from './files';

/** Capabilities without addresses (DPI answers carry a person's postal address: it must not enter history). */
export interface CapabilitySummary {
  process: string;
  serviceIdentifier: ServiceIdentifier;
  documentTypes: string[];
}

export interface CapabilityAnswer {
  receiverKnown: boolean;
  capabilities: CapabilitySummary[];
}

/** The message as the send activities need it (the workflow input minus tracking options). */
export interface SendRequest {
  messageId: string;
  conversationId: string;
  sender?: Sender;
  receiver: Receiver;
  process: string;
  documentType: DocumentType;
  businessMessage: Record<string, unknown>;
  expectedResponseDateTime: string;
  senderReference?: string;
  receiverReference?: string;
  files: OutgoingFile[];
}

/** What the IP already has for a messageId, found out after `MessageAlreadyExistsException` or a 404 on send. */
export interface Inspection {
  /** Still in the outbox: created, not yet sent (files may be missing). */
  inOutbox: boolean;
  statuses: StatusEntry[];
}

export type SendOutcome = { kind: 'sent' } | { kind: 'already-exists'; inspection: Inspection };
export type CreateOutcome = { kind: 'created' } | { kind: 'already-exists'; inspection: Inspection };

export function toStatusEntry(s: MessageStatusDto, source: StatusEntry['source']): StatusEntry {
  return {
    status: s.status,
    at: s.lastUpdate,
    id: s.id,
    source,
    ...(s.description ? { description: s.description } : {}),
  };
}

const sbdOf = (r: SendRequest) =>
  buildSbd({
    messageId: r.messageId,
    conversationId: r.conversationId,
    sender: r.sender,
    receiver: r.receiver,
    process: r.process,
    documentType: r.documentType,
    businessMessage: r.businessMessage,
    expectedResponseDateTime: r.expectedResponseDateTime,
    senderReference: r.senderReference,
    receiverReference: r.receiverReference,
  });

/** Heartbeats with the byte count, at most twice a second (cheap on large uploads). */
function progressHeartbeat(): (bytes: number) => void {
  let last = 0;
  return (bytes) => {
    const now = Date.now();
    if (now - last >= 500) {
      last = now;
      Context.current().heartbeat({ bytes });
    }
  };
}

export function createOutgoingActivities(deps: () => EformidlingDeps) {
  async function inspect(messageId: string): Promise<Inspection> {
    const { ip } = deps();
    const [outbox, statuses] = await Promise.all([ip.getOutgoing(messageId), ip.statuses(messageId)]);
    return { inOutbox: outbox !== undefined, statuses: statuses.map((s) => toStatusEntry(s, 'poll')) };
  }

  /** After "already exists": the IP must show the message somewhere; if not yet, retry the whole step later. */
  async function inspectExisting(messageId: string): Promise<Inspection> {
    const inspection = await inspect(messageId);
    if (!inspection.inOutbox && inspection.statuses.length === 0) {
      throw notYet('The IP says the messageId exists but shows neither outbox entry nor status yet');
    }
    return inspection;
  }

  return {
    /** `GET /api/capabilities/{receiver}` for the process; an unknown receiver is an answer, not an error. */
    async eformidlingLookupCapabilities(input: {
      receiver: Receiver;
      process: string;
      securityLevel?: number;
    }): Promise<CapabilityAnswer> {
      try {
        const caps = await deps().ip.capabilities(lookupIdentifier(input.receiver), {
          process: input.process,
          securityLevel: input.securityLevel,
        });
        return {
          receiverKnown: true,
          capabilities: caps.map((c) => ({
            process: c.process,
            serviceIdentifier: c.serviceIdentifier,
            documentTypes: (c.documentTypes ?? []).map((d) => d.type),
          })),
        };
      } catch (err) {
        if (err instanceof ReceiverNotFoundError) return { receiverKnown: false, capabilities: [] };
        return classify(err);
      }
    },

    /**
     * Everything checkable before the first call that changes the IP: the files exist in the blob store with their
     * stated sizes, the SBD can be built, and the total is within the transport's limit.
     */
    async eformidlingCheckMessage(input: {
      request: SendRequest;
      serviceIdentifier: ServiceIdentifier;
    }): Promise<{ totalBytes: number }> {
      const { blobStore, config } = deps();
      try {
        sbdOf(input.request);
        // The transport is known now (the capability): its file rules, before anything is created or uploaded.
        const { files, documentType, businessMessage } = input.request;
        const problems = transportFileProblems(files, documentType, businessMessage, input.serviceIdentifier);
        if (problems.length > 0) throw new SbdValidationError(problems);
        await Promise.all(input.request.files.map((f, i) => streamedFile(blobStore, f, i)));
        const total = input.request.files.reduce((sum, f) => sum + f.blob.size, 0);
        const limit = config.transportLimitBytes[input.serviceIdentifier];
        if (limit !== undefined && total > limit)
          throw new TransportLimitExceededError(input.serviceIdentifier, total, limit);
        return { totalBytes: total };
      } catch (err) {
        return classify(err);
      }
    },

    /** One step: the whole message as one streamed multipart request (every file ≤ 5 MiB). */
    async eformidlingSendOneStep(request: SendRequest): Promise<SendOutcome> {
      const { ip, blobStore } = deps();
      try {
        const files = await Promise.all(request.files.map((f, i) => streamedFile(blobStore, f, i)));
        await ip.sendMultipart(sbdOf(request), files, {
          signal: Context.current().cancellationSignal,
          onProgress: progressHeartbeat(),
        });
        return { kind: 'sent' };
      } catch (err) {
        // A retry after a lost answer: the first attempt went through. Find out how far.
        if (err instanceof MessageAlreadyExistsError)
          return { kind: 'already-exists', inspection: await inspectExisting(request.messageId) };
        return classify(err);
      }
    },

    /** Multi-step 1: create the message (status OPPRETTET). */
    async eformidlingCreateMessage(request: SendRequest): Promise<CreateOutcome> {
      try {
        await deps().ip.createMessage(sbdOf(request));
        return { kind: 'created' };
      } catch (err) {
        if (err instanceof MessageAlreadyExistsError)
          return { kind: 'already-exists', inspection: await inspectExisting(request.messageId) };
        return classify(err);
      }
    },

    /**
     * Multi-step 2: PUT one file, streamed from the blob store. `DuplicateFilenameException` means an earlier attempt
     * completed this file (the IP adds a file only once its body was read whole), so it counts as uploaded.
     */
    async eformidlingUploadFile(input: {
      messageId: string;
      file: OutgoingFile;
      index: number;
    }): Promise<{ alreadyThere: boolean }> {
      const { ip, blobStore } = deps();
      try {
        const file = await streamedFile(blobStore, input.file, input.index);
        await ip.uploadFile(input.messageId, file, {
          signal: Context.current().cancellationSignal,
          onProgress: progressHeartbeat(),
        });
        return { alreadyThere: false };
      } catch (err) {
        if (err instanceof DuplicateFilenameError) return { alreadyThere: true };
        return classify(err);
      }
    },

    /** Multi-step 3: send. A 404 on a retry means the first attempt already handed it to transport. */
    async eformidlingSendMessage(input: { messageId: string }): Promise<{ alreadySent: boolean }> {
      try {
        await deps().ip.sendMessage(input.messageId);
        return { alreadySent: false };
      } catch (err) {
        if (err instanceof MessageNotFoundError) {
          const inspection = await inspect(input.messageId);
          if (inspection.statuses.length > 0) return { alreadySent: true };
          throw notYet('The message is neither in the outbox nor known by status yet');
        }
        return classify(err);
      }
    },

    /** Removes a created-but-unsent message (cancellation before send): `DELETE /api/messages/out/{id}`. */
    async eformidlingDeleteOutgoing(input: { messageId: string }): Promise<void> {
      try {
        await deps().ip.deleteOutgoing(input.messageId);
      } catch (err) {
        return classify(err);
      }
    },

    /** `GET /api/statuses/{messageId}`, every page. */
    async eformidlingFetchStatuses(input: { messageId: string }): Promise<StatusEntry[]> {
      try {
        return (await deps().ip.statuses(input.messageId)).map((s) => toStatusEntry(s, 'poll'));
      } catch (err) {
        return classify(err);
      }
    },
  };
}
