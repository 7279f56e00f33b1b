import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { EformidlingActivities, Inspection, SendRequest } from '../../activities/eformidling';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { eformidlingFailureTypes, type OutgoingFailureDetails } from '../../src/contract/eformidling';
import { messageStateQuery, statusHintSignal } from '../../src/contract/eformidling';
import type {
  OutgoingMessageResult,
  OutgoingMessageState,
  OutgoingMessageWorkflowInput,
  OutgoingPhase,
  SendMode,
} from '../../src/contract/eformidling';
import {
  isMessageStatus,
  MULTIPART_MAX_FILE_BYTES,
  type ServiceIdentifier,
} from '../../src/contract/eformidling';
import { durationMs, validateOutgoingMessage } from '../../src/contract/eformidling';
import { searchAttributes } from '../../src/contract/search-attributes';
import { selectCapability } from './capability';
import { messageDetails } from './details';
import { addHint, assess, mergePolled, type SettleRules, type Verdict } from './tracking';

const DEFAULT_LIFETIME_MS = 24 * 3600_000;
/** The IP's expiry job runs every 30 s: give it this long after the deadline to report LEVETID_UTLOPT itself. */
const EXPIRY_GRACE_MS = 2 * 60_000;

const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' };
const ip = proxyActivities<EformidlingActivities>({ startToCloseTimeout: '2 minutes', retry });

/** Transfers heartbeat with their byte count; a dead worker is noticed within the heartbeat timeout. */
function transfers(deadline: number, summary: string): EformidlingActivities {
  const options: ActivityOptions = {
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '20 seconds',
    // Retrying a transfer past the message's lifetime is pointless: the IP would refuse it as expired.
    scheduleToCloseTimeout: Math.max(60_000, deadline - Date.now()),
    retry,
    summary,
  };
  return proxyActivities<EformidlingActivities>(options);
}

/**
 * One outgoing eFormidling message, from capability lookup to a settled delivery status. Workflow ID
 * `eformidling-message/<messageId>`: the messageId is chosen by the caller before the start, so neither a repeated
 * start nor a retried/restarted send can create a second message. See docs/eformidling.md.
 */
export async function eformidlingOutgoingMessage(input: OutgoingMessageWorkflowInput): Promise<OutgoingMessageResult> {
  const startedAt = Date.now();
  const cont = input.continuation;
  const deadline =
    cont?.deadline ?? input.expectedResponseDateTime ?? new Date(startedAt + DEFAULT_LIFETIME_MS).toISOString();
  const state: OutgoingMessageState = {
    messageId: input.messageId,
    phase: cont ? 'tracking' : 'validating',
    serviceIdentifier: cont?.serviceIdentifier,
    sendMode: cont?.sendMode,
    filesUploaded: cont ? (input.files?.length ?? 0) : 0,
    filesTotal: Array.isArray(input.files) ? input.files.length : 0,
    resumedExisting: cont?.resumedExisting ?? false,
    statuses: cont?.statuses ?? [],
    deadline,
  };
  let hinted = false;
  let deliveredSeenAt = cont?.deliveredSeenAt;

  let shownStatus: string | undefined;
  const show = (ferjeStatus?: string): void => {
    state.lastStatus = state.statuses.at(-1)?.status;
    setCurrentDetails(messageDetails(state));
    const value = ferjeStatus ?? state.lastStatus;
    // Each upsert is a history event: only on change.
    if (value && value !== shownStatus) {
      shownStatus = value;
      upsertSearchAttributes([{ key: searchAttributes.status, value }]);
    }
  };
  const enter = (phase: OutgoingPhase, ferjeStatus?: string): void => {
    state.phase = phase;
    show(ferjeStatus);
  };
  const fail = (
    type: string,
    message: string,
    details: Partial<OutgoingFailureDetails>,
    ferjeStatus: string,
  ): never => {
    enter('failed', ferjeStatus);
    throw ApplicationFailure.create({
      type,
      message,
      nonRetryable: true,
      details: [
        {
          messageId: input.messageId,
          serviceIdentifier: state.serviceIdentifier,
          lastStatus: state.statuses.at(-1)?.status,
          statuses: state.statuses,
          ...details,
        } satisfies OutgoingFailureDetails,
      ],
    });
  };

  setHandler(
    statusHintSignal,
    (hint) => {
      if (!hint || !isMessageStatus(hint.status)) return;
      if (addHint(state.statuses, hint, new Date().toISOString())) hinted = true;
    },
    { description: 'A status for this message from the webhook route or the status-queue reader (a hint).' },
  );
  setHandler(messageStateQuery, () => JSON.parse(JSON.stringify(state)) as OutgoingMessageState, {
    description: 'Phase, transport, upload progress and the status history.',
  });

  if (!cont) {
    const problems = validateOutgoingMessage(input, startedAt);
    if (problems.length > 0) {
      enter('failed', 'INVALID_INPUT');
      throw ApplicationFailure.create({
        type: commonFailureTypes.invalidInput,
        message: `The message is invalid: ${problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`,
        nonRetryable: true,
        details: [{ problems }],
      });
    }
    try {
      await send(input, deadline);
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
        const cause = err.cause;
        const label =
          cause.type === eformidlingFailureTypes.messageTooLarge
            ? 'TOO_LARGE'
            : cause.type === commonFailureTypes.invalidInput
              ? 'INVALID_INPUT'
              : 'REJECTED';
        enter('failed', label);
        throw ApplicationFailure.create({
          type: cause.type ?? eformidlingFailureTypes.rejected,
          message: cause.message,
          nonRetryable: true,
          details: cause.details as unknown[],
        });
      }
      throw err;
    }
  }

  // ---- tracking ----
  const initialPollMs = durationMs(input.tracking?.pollInitialInterval, '10 seconds') ?? 10_000;
  const maxPollMs = Math.max(initialPollMs, durationMs(input.tracking?.pollMaxInterval, '15 minutes') ?? 900_000);
  let pollMs = cont?.pollIntervalMs ?? initialPollMs;
  const rules = (): SettleRules => ({
    settleOn: input.settleOn ?? 'LEVERT',
    listenAfterDeliveryMs: durationMs(input.listenAfterDelivery, '0 seconds') ?? 0,
    awaitReadForMs: durationMs(input.awaitReadFor, '30 days') ?? 30 * 86_400_000,
    giveUpAt: Date.parse(deadline) + EXPIRY_GRACE_MS,
    deliveredSeenAt,
  });
  const poll = async (): Promise<boolean> => {
    const before = JSON.stringify(state.statuses);
    state.statuses = mergePolled(state.statuses, await ip.eformidlingFetchStatuses({ messageId: input.messageId }));
    return JSON.stringify(state.statuses) !== before;
  };
  const judge = (): Verdict => {
    if (deliveredSeenAt === undefined && state.statuses.some((s) => s.status === 'LEVERT'))
      deliveredSeenAt = Date.now();
    return assess(state.statuses, rules(), Date.now());
  };

  enter('tracking');
  let verdict = judge();
  while (verdict.kind === 'pending') {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof eformidlingOutgoingMessage>({
        ...input,
        continuation: {
          serviceIdentifier: state.serviceIdentifier as ServiceIdentifier,
          sendMode: state.sendMode as SendMode,
          resumedExisting: state.resumedExisting,
          statuses: state.statuses,
          deadline,
          deliveredSeenAt,
          pollIntervalMs: pollMs,
        },
      });
    }
    const now = Date.now();
    if (deliveredSeenAt === undefined && now >= rules().giveUpAt) {
      await poll();
      verdict = judge();
      if (verdict.kind === 'pending') {
        fail(
          eformidlingFailureTypes.lifetimeExpired,
          `Message ${input.messageId} was not delivered within its lifetime (${deadline})`,
          { reason: 'no-settled-status-at-deadline' },
          'LEVETID_UTLOPT',
        );
      }
      break;
    }
    const waitMs = Math.max(0, Math.min(pollMs, verdict.waitUntil - now));
    state.nextPollAt = new Date(now + waitMs).toISOString();
    if (deliveredSeenAt !== undefined) state.phase = 'listening-after-delivery';
    show();
    hinted = false;
    const gotHint = waitMs > 0 && (await condition(() => hinted, waitMs));
    state.nextPollAt = undefined;
    if (!gotHint) {
      const changed = await poll();
      pollMs = changed ? initialPollMs : Math.min(maxPollMs, pollMs * 2);
    }
    verdict = judge();
  }

  // Webhook hints carry no status ids or descriptions: settle on the IP's own record.
  if (state.statuses.some((s) => s.source !== 'poll')) {
    await poll();
    const again = judge();
    if (again.kind !== 'pending') verdict = again;
  }
  if (verdict.kind === 'failed') {
    if (verdict.status === 'FEIL') {
      fail(
        eformidlingFailureTypes.deliveryFailed,
        `The IP reported FEIL for message ${input.messageId}${verdict.afterDelivery ? ' after LEVERT' : ''}`,
        { afterDelivery: verdict.afterDelivery },
        'FEIL',
      );
    }
    fail(
      eformidlingFailureTypes.lifetimeExpired,
      `Message ${input.messageId} expired (LEVETID_UTLOPT); resend it with a new messageId`,
      { reason: 'levetid-utlopt' },
      'LEVETID_UTLOPT',
    );
  }
  const delivered = verdict as Extract<Verdict, { kind: 'delivered' }>;
  enter('settled', delivered.finalStatus);
  return {
    messageId: input.messageId,
    conversationId: input.conversationId ?? input.messageId,
    serviceIdentifier: state.serviceIdentifier as ServiceIdentifier,
    sendMode: state.sendMode as SendMode,
    finalStatus: delivered.finalStatus,
    ...(delivered.readReceiptTimedOut ? { readReceiptTimedOut: true } : {}),
    resumedExisting: state.resumedExisting,
    statuses: state.statuses,
  };

  // ---- sending ----
  async function send(message: OutgoingMessageWorkflowInput, lifetimeEnd: string): Promise<void> {
    enter('capabilities', 'CHECKING_CAPABILITIES');
    const answer = await ip.eformidlingLookupCapabilities({
      receiver: message.receiver,
      process: message.process,
      securityLevel: message.securityLevel,
    });
    const capability = selectCapability(answer.capabilities, message);
    if (!capability) {
      fail(
        eformidlingFailureTypes.noCapability,
        answer.receiverKnown
          ? `The receiver has no capability for ${message.documentType} in this process${message.serviceIdentifier ? ` over ${message.serviceIdentifier}` : ''}`
          : 'The receiver is not known to the registers',
        { reason: answer.receiverKnown ? 'no-matching-capability' : 'unknown-receiver' },
        'NO_CAPABILITY',
      );
    }
    state.serviceIdentifier = capability?.serviceIdentifier;
    const request: SendRequest = {
      messageId: message.messageId,
      conversationId: message.conversationId ?? message.messageId,
      sender: message.sender,
      receiver: message.receiver,
      process: message.process,
      documentType: message.documentType,
      businessMessage: message.businessMessage,
      expectedResponseDateTime: lifetimeEnd,
      senderReference: message.senderReference,
      receiverReference: message.receiverReference,
      files: message.files,
    };
    await ip.eformidlingCheckMessage({ request, serviceIdentifier: state.serviceIdentifier as ServiceIdentifier });

    const end = Date.parse(lifetimeEnd);
    state.sendMode = message.files.every((f) => f.blob.size <= MULTIPART_MAX_FILE_BYTES) ? 'one-step' : 'multi-step';
    enter('sending', 'SENDING');
    let sentToTransport = false;
    try {
      if (state.sendMode === 'one-step') {
        const outcome = await transfers(
          end,
          `one-step multipart, ${message.files.length} file(s)`,
        ).eformidlingSendOneStep(request);
        if (outcome.kind === 'sent') {
          state.filesUploaded = message.files.length;
          sentToTransport = true;
        } else sentToTransport = !(await resumeFrom(outcome.inspection));
      } else {
        const created = await ip.eformidlingCreateMessage(request);
        const needsFiles = created.kind === 'created' || (await resumeFrom(created.inspection));
        sentToTransport = !needsFiles;
      }
      if (!sentToTransport) {
        await uploadAll(request, end);
        const sent = await ip.eformidlingSendMessage({ messageId: message.messageId });
        if (sent.alreadySent) state.resumedExisting = true;
      }
    } catch (err) {
      // Cancelled before the message went to transport: do not leave a half-built message in the IP's outbox.
      if (isCancellation(err) && !sentToTransport) {
        await CancellationScope.nonCancellable(() => ip.eformidlingDeleteOutgoing({ messageId: message.messageId }));
      }
      throw err;
    }
  }

  /** After "already exists": true when the message is still in the outbox and needs its files and the send. */
  async function resumeFrom(inspection: Inspection): Promise<boolean> {
    state.resumedExisting = true;
    state.statuses = mergePolled(state.statuses, inspection.statuses);
    show();
    return inspection.inOutbox;
  }

  async function uploadAll(request: SendRequest, end: number): Promise<void> {
    enter('uploading', 'UPLOADING');
    state.filesUploaded = 0;
    for (const [index, file] of request.files.entries()) {
      const mb = (file.blob.size / 1_048_576).toFixed(1);
      await transfers(end, `upload file ${index + 1}/${request.files.length} (${mb} MiB)`).eformidlingUploadFile({
        messageId: request.messageId,
        file,
        index,
      });
      state.filesUploaded = index + 1;
      show('UPLOADING');
    }
  }
}
