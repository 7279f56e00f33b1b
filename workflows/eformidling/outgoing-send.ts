import { ApplicationFailure, CancellationScope, isCancellation, patched } from '@temporalio/workflow';
import type { Inspection, SendRequest } from '../../activities/eformidling';
import {
  eformidlingFailureTypes,
  type OutgoingMessageStatus,
  type OutgoingMessageWorkflowInput,
} from '../../src/contract/eformidling';
import { failureTypeOf, liftFailure } from '../common';
import { ip, transfers } from './activities';
import { awaitSendEvidence, sendConfirmed } from './send-confirmed';
import { sendWasTaken } from './send-evidence';
import {
  failureOf,
  mergePolled,
  noCapability,
  selectCapability,
  sendFailureStatus,
  sendModeFor,
  sendRequestOf,
  type MessageFailure,
  type OutgoingRun,
} from './outgoing-message-state';

/** Re-renders the operator view; a label replaces the IP's last status as FerjeStatus. */
export type Show = (label?: OutgoingMessageStatus) => void;

/** Ends the run as failed: the status shown, then the typed, non-retryable failure with the whole history. */
export function failWith(run: OutgoingRun, show: Show, failure: MessageFailure): ApplicationFailure {
  run.snapshot.phase = 'failed';
  show(failure.status);
  return ApplicationFailure.create({
    type: failure.type,
    message: failure.message,
    nonRetryable: true,
    details: [failure.details],
  });
}

/**
 * Capabilities → checks → one-step multipart or create + PUT files + send. A typed failure of an activity becomes the
 * workflow's own failure (cause kept) with a FerjeStatus naming it. Unchanged protocol: see docs/eformidling.md.
 */
export async function sendMessage(input: OutgoingMessageWorkflowInput, run: OutgoingRun, show: Show): Promise<void> {
  try {
    await send(input, run, show);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const type = failureTypeOf(err);
    if (type !== undefined) {
      run.snapshot.phase = 'failed';
      show(sendFailureStatus(type));
    }
    throw liftFailure(err);
  }
}

async function send(input: OutgoingMessageWorkflowInput, run: OutgoingRun, show: Show): Promise<void> {
  const s = run.snapshot;
  s.phase = 'capabilities';
  show('CHECKING_CAPABILITIES');
  const answer = await ip.eformidlingLookupCapabilities({
    receiver: input.receiver,
    process: input.process,
    securityLevel: input.securityLevel,
  });
  const capability = selectCapability(answer.capabilities, input);
  if (!capability) {
    const why = noCapability(answer, input);
    throw failWith(
      run,
      show,
      failureOf(run, eformidlingFailureTypes.noCapability, why.message, 'NO_CAPABILITY', { reason: why.reason }),
    );
  }
  s.serviceIdentifier = capability.serviceIdentifier;
  const request = sendRequestOf(input, s.deadline);
  await ip.eformidlingCheckMessage({ request, serviceIdentifier: capability.serviceIdentifier });

  const end = Date.parse(s.deadline);
  s.sendMode = sendModeFor(input.files);
  s.phase = 'sending';
  show('SENDING');
  // The IP's send is not idempotent: since this patch a send is never repeated without evidence (send-confirmed.ts).
  const neverTwice = patched('eformidling-send-never-twice');
  let sentToTransport = false;
  try {
    if (s.sendMode === 'one-step') {
      const outcome = await transfers(
        end,
        Date.now(),
        `one-step multipart, ${input.files.length} file(s)`,
      ).eformidlingSendOneStep(request);
      if (outcome.kind === 'sent') {
        s.filesUploaded = input.files.length;
        sentToTransport = true;
      } else if (neverTwice) {
        // The multipart call creates (with all files) and then sends; its answer was lost. Taken, unless the IP
        // shows no evidence of the send within the window.
        resumeFrom(run, show, outcome.inspection);
        s.filesUploaded = input.files.length;
        if (!sendWasTaken(outcome.inspection) && !(await awaitSendEvidence(input, run, show)))
          await sendConfirmed(input, run, show, { resend: true });
        sentToTransport = true;
      } else sentToTransport = !resumeFrom(run, show, outcome.inspection);
    } else {
      const created = await ip.eformidlingCreateMessage(request);
      const needsFiles =
        created.kind === 'created' ||
        (resumeFrom(run, show, created.inspection) && (!neverTwice || !sendWasTaken(created.inspection)));
      sentToTransport = !needsFiles;
    }
    if (!sentToTransport) {
      await uploadAll(run, show, request, end);
      if (neverTwice) await sendConfirmed(input, run, show, { resend: false });
      else {
        const sent = await ip.eformidlingSendMessage({ messageId: input.messageId });
        if (sent.alreadySent) s.resumedExisting = true;
      }
    }
  } catch (err) {
    // Cancelled before the message went to transport: do not leave a half-built message in the IP's outbox.
    if (isCancellation(err) && !sentToTransport) {
      await CancellationScope.nonCancellable(() => ip.eformidlingDeleteOutgoing({ messageId: input.messageId }));
    }
    throw err;
  }
}

/** After "already exists": true when the message is still in the outbox and needs its files and the send. */
function resumeFrom(run: OutgoingRun, show: Show, inspection: Inspection): boolean {
  run.snapshot.resumedExisting = true;
  run.snapshot.statuses = mergePolled(run.snapshot.statuses, inspection.statuses);
  show();
  return inspection.inOutbox;
}

async function uploadAll(run: OutgoingRun, show: Show, request: SendRequest, end: number): Promise<void> {
  run.snapshot.phase = 'uploading';
  show('UPLOADING');
  run.snapshot.filesUploaded = 0;
  for (const [index, file] of request.files.entries()) {
    const mb = (file.blob.size / 1_048_576).toFixed(1);
    await transfers(
      end,
      Date.now(),
      `upload file ${index + 1}/${request.files.length} (${mb} MiB)`,
    ).eformidlingUploadFile({ messageId: request.messageId, file, index });
    run.snapshot.filesUploaded = index + 1;
    show('UPLOADING');
  }
}
