import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BlobRef } from '../../src/contract/blob-ref';
import { commonFailureTypes } from '../../src/contract/failure-types';
import { searchAttributes } from '../../src/contract/search-attributes';
import {
  signatureOperationStateQuery,
  signstashFailureTypes,
  validateSignatureOperationInput,
  type InstanceLossRecord,
  type SignatureOperationInput,
  type SignatureOperationPolicy,
  type SignatureOperationResult,
  type SignatureOperationState,
  type SignedDocumentResult,
  type SignstashPlacement,
} from '../../src/contract/signstash';
import type { CheckStatusOutput, FetchResultOutput } from '../../activities/signstash';
import { checkActivities, fetchActivities, prepareActivities, startActivities } from './activities';
import { operationDetails } from './details';

type Final = Extract<FetchResultOutput, { kind: 'result' }>;

/**
 * One Sign'Stash signature operation, pinned to the proxy instance that accepted it. Affinity is data: the start
 * activity's answer (operation id, host, port) is kept here and handed to every later activity, which talks to that
 * instance directly. The workflow keeps the "instance gone" clock itself (durable across worker restarts) and applies
 * the caller's choice when it runs out: fail, or start again elsewhere under a derived reference.
 */
export async function signstashSignatureOperation(input: SignatureOperationInput): Promise<SignatureOperationResult> {
  // `?.`: a null input must reach validation (a TypeError here would retry the workflow task forever).
  const resume = input?.resume;
  const state: SignatureOperationState = {
    phase: resume ? 'polling' : 'validating',
    documentCount: resume?.documentCount ?? (Array.isArray(input?.documents) ? input.documents.length : 0),
    statusChecks: resume?.statusChecks ?? 0,
    restarts: resume?.restarts.length ?? 0,
    ...(resume ? { placement: resume.placement, status: resume.status } : {}),
    ...(resume?.goneSinceMs !== undefined ? { goneSinceMs: resume.goneSinceMs, goneReason: resume.goneReason } : {}),
  };
  setHandler(signatureOperationStateQuery, () => JSON.parse(JSON.stringify(state)) as SignatureOperationState, {
    description: 'Phase, instance, status and counts of the operation (no personal data)',
  });
  let policy: SignatureOperationPolicy | undefined = resume?.policy;
  let ferjeStatus: string | undefined;
  const show = (status?: string): void => {
    if (status && status !== ferjeStatus) {
      ferjeStatus = status;
      upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
    }
    setCurrentDetails(operationDetails(state, policy));
  };

  try {
    let manifest: BlobRef;
    let placement: SignstashPlacement;
    let firstDelayMs: number;
    const restarts: InstanceLossRecord[] = resume ? [...resume.restarts] : [];
    if (resume) {
      manifest = resume.manifest;
      placement = resume.placement;
      firstDelayMs = resume.nextPollDelayMs;
      show(resume.goneSinceMs !== undefined ? 'INSTANCE_UNREACHABLE' : resume.status);
    } else {
      show('VALIDATING');
      const problems = validateSignatureOperationInput(input);
      if (problems.length > 0) {
        state.phase = 'failed';
        show('REJECTED');
        throw ApplicationFailure.create({
          type: commonFailureTypes.invalidInput,
          nonRetryable: true,
          message: `Invalid Sign'Stash input: ${problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`,
          details: [problems],
        });
      }
      state.phase = 'storing-documents';
      show('STORING_DOCUMENTS');
      const prepared = await prepareActivities(`store ${input.documents.length} document(s)`)
        .signstashPrepareDocuments({
          clientServiceId: input.clientServiceId,
          documents: input.documents,
          options: input.options,
        })
        .catch((err: unknown) => {
          throw surface(err);
        });
      manifest = prepared.manifest;
      policy = prepared.policy;
      const started = await submit(input.externalReference);
      placement = started.placement;
      firstDelayMs = started.firstDelayMs;
    }
    const activePolicy = policy!;

    async function submit(externalReference: string): Promise<{ placement: SignstashPlacement; firstDelayMs: number }> {
      state.phase = 'submitting';
      show('SUBMITTING');
      const startPolicy = policy!;
      const started = await startActivities(startPolicy.startRetryIntervalMs, 'start on the load balancer')
        .signstashStartOperation({
          clientServiceId: input.clientServiceId,
          externalReference,
          description: input.description,
          manifest,
        })
        .catch((err: unknown) => {
          throw startFailure(err);
        });
      const placed: SignstashPlacement = {
        externalReference,
        operationId: started.operationId,
        host: started.host,
        port: started.port,
        acceptedAtMs: Date.now(),
      };
      state.placement = placed;
      state.status = started.status;
      state.phase = 'polling';
      show(started.status);
      return { placement: placed, firstDelayMs: Math.max(started.retryAfterMs ?? 0, startPolicy.firstPollDelayMs) };
    }

    for (;;) {
      const outcome = await pollUntilFinal(placement, firstDelayMs);
      if (outcome.kind === 'final') {
        return finish(outcome.result, placement, restarts);
      }
      // The instance is lost, and with it the operation (instances share nothing).
      state.phase = 'instance-gone';
      if (activePolicy.onInstanceLost === 'fail') {
        state.phase = 'failed';
        show('INSTANCE_LOST');
        throw ApplicationFailure.create({
          type: signstashFailureTypes.instanceLost,
          nonRetryable: true,
          message:
            `Sign'Stash instance ${placement.host}:${placement.port} holding operation ${placement.operationId} was gone ` +
            `(${outcome.loss.reason}) for more than ${Math.round(activePolicy.instanceLostAfterMs / 1000)} s; ` +
            `its state is lost. Configured behaviour: fail`,
          details: [{ behaviour: 'fail', loss: outcome.loss, restarts }],
        });
      }
      if (restarts.length >= activePolicy.maxRestarts) {
        state.phase = 'failed';
        show('INSTANCE_LOST');
        throw ApplicationFailure.create({
          type: signstashFailureTypes.restartsExhausted,
          nonRetryable: true,
          message: `Sign'Stash instances were lost ${restarts.length + 1} times; all ${activePolicy.maxRestarts} restart(s) are used up`,
          details: [{ behaviour: 'restart', loss: outcome.loss, restarts }],
        });
      }
      restarts.push(outcome.loss);
      state.restarts = restarts.length;
      delete state.goneSinceMs;
      delete state.goneReason;
      show('RESTARTING');
      // A new reference: the SaaS behind every proxy may remember the old one (409 0.0.7).
      const next = await submit(`${input.externalReference}-R${restarts.length + 1}`);
      placement = next.placement;
      firstDelayMs = next.firstDelayMs;
    }

    async function pollUntilFinal(
      at: SignstashPlacement,
      initialDelayMs: number,
    ): Promise<{ kind: 'final'; result: Final } | { kind: 'lost'; loss: InstanceLossRecord }> {
      let delayMs = initialDelayMs;
      let pollsThisRun = 0;
      const where = `${at.host}:${at.port}`;
      for (;;) {
        if (Date.now() - at.acceptedAtMs > activePolicy.operationTimeoutMs) {
          state.phase = 'failed';
          show('TIMED_OUT');
          throw ApplicationFailure.create({
            type: signstashFailureTypes.operationTimedOut,
            nonRetryable: true,
            message: `Sign'Stash operation ${at.operationId} was not final after ${Math.round(activePolicy.operationTimeoutMs / 1000)} s`,
            details: [{ placement: at, status: state.status }],
          });
        }
        if (pollsThisRun >= activePolicy.maxPollsPerRun || workflowInfo().continueAsNewSuggested) {
          await condition(allHandlersFinished);
          await continueAsNew<typeof signstashSignatureOperation>({
            ...input,
            documents: [],
            resume: {
              manifest,
              documentCount: state.documentCount,
              policy: activePolicy,
              placement: at,
              status: state.status ?? 'PENDING_EXECUTION',
              restarts,
              ...(state.goneSinceMs !== undefined
                ? { goneSinceMs: state.goneSinceMs, goneReason: state.goneReason }
                : {}),
              nextPollDelayMs: delayMs,
              statusChecks: state.statusChecks,
            },
          });
        }
        await sleep(delayMs, {
          summary: state.goneSinceMs !== undefined ? `retry gone instance ${where}` : `next status check on ${where}`,
        });
        pollsThisRun++;
        state.statusChecks++;
        const checked: CheckStatusOutput = await checkActivities(`status on ${where}`)
          .signstashCheckStatus({
            clientServiceId: input.clientServiceId,
            placement: at,
          })
          .catch((err: unknown) => {
            throw surface(err);
          });
        let answer: CheckStatusOutput | FetchResultOutput = checked;
        if (checked.kind === 'status') {
          state.status = checked.status;
          if (checked.signedCount !== undefined) state.signedCount = checked.signedCount;
          if (checked.status !== 'PENDING_EXECUTION') {
            state.phase = 'fetching-result';
            show(checked.status);
            answer = await fetchActivities(`result from ${where}`)
              .signstashFetchResult({
                clientServiceId: input.clientServiceId,
                placement: at,
                manifest,
              })
              .catch((err: unknown) => {
                throw surface(err);
              });
            if (answer.kind === 'result') return { kind: 'final', result: answer };
          }
        }
        if (answer.kind === 'gone') {
          state.goneSinceMs ??= Date.now();
          state.goneReason = answer.reason;
          state.phase = 'instance-gone';
          const goneForMs = Date.now() - state.goneSinceMs;
          if (goneForMs >= activePolicy.instanceLostAfterMs) {
            const loss: InstanceLossRecord = {
              externalReference: at.externalReference,
              operationId: at.operationId,
              host: at.host,
              port: at.port,
              reason: answer.reason,
              goneForMs,
            };
            return { kind: 'lost', loss };
          }
          show('INSTANCE_UNREACHABLE');
          // Back off, but never past the moment the instance would count as lost.
          delayMs = Math.max(
            100,
            Math.min(backoff(delayMs, activePolicy), activePolicy.instanceLostAfterMs - goneForMs),
          );
          continue;
        }
        // The instance answered (pending, or final but the result was not ready yet).
        const wasGone = state.goneSinceMs !== undefined;
        delete state.goneSinceMs;
        delete state.goneReason;
        state.phase = 'polling';
        show(wasGone ? (state.status ?? 'PENDING_EXECUTION') : state.status);
        const serverWait = answer.kind === 'status' ? (answer.retryAfterMs ?? 0) : 0;
        delayMs = Math.max(serverWait, backoff(delayMs, activePolicy));
      }
    }

    function finish(result: Final, at: SignstashPlacement, losses: InstanceLossRecord[]): SignatureOperationResult {
      const documents: SignedDocumentResult[] = result.documents;
      const signedCount = documents.filter((d) => d.signStatus === 'SIGNED').length;
      state.status = result.status;
      state.signedCount = signedCount;
      if (result.status === 'EXECUTION_FAILED' || result.status === 'PENDING_EXECUTION') {
        state.phase = 'failed';
        show('EXECUTION_FAILED');
        throw ApplicationFailure.create({
          type: signstashFailureTypes.operationFailed,
          nonRetryable: true,
          message: `Sign'Stash operation ${at.operationId} ended EXECUTION_FAILED${result.error ? ` (${result.error.errorCode} ${result.error.errorCodeDescription})` : ''}: nothing was signed`,
          details: [{ placement: at, error: result.error, documents, restarts: losses }],
        });
      }
      state.phase = 'completed';
      show(result.status);
      return {
        requestedReference: input.externalReference,
        placement: at,
        status: result.status,
        documents,
        signedCount,
        errorCount: documents.length - signedCount,
        instanceLoss: { behaviour: activePolicy.onInstanceLost, restarts: losses },
      };
    }
  } catch (err) {
    if (isCancellation(err)) {
      // Sign'Stash has no cancel operation: what was submitted keeps running at the proxy.
      state.phase = 'failed';
      show('CANCELLED');
    }
    throw err;
  }
}

function backoff(delayMs: number, policy: SignatureOperationPolicy): number {
  return Math.min(Math.round(delayMs * 1.5), policy.maxPollDelayMs);
}

const contractTypes: string[] = [...Object.values(signstashFailureTypes), ...Object.values(commonFailureTypes)];

/**
 * An activity's typed failure, lifted to the workflow's own failure so callers find the contract's `type` directly
 * on the workflow failure (not two causes down). Anything else (cancellation, untyped errors) passes unchanged.
 */
function surface(err: unknown): unknown {
  const cause = (err as { cause?: { type?: string; message?: string } }).cause;
  const type = cause?.type;
  if (!isCancellation(err) && type && contractTypes.includes(type)) {
    return ApplicationFailure.create({
      type,
      nonRetryable: true,
      message: cause?.message ?? type,
      cause: err as Error,
    });
  }
  return err;
}

/** After the start's last attempt: a typed failure that says a person should look (W-retry's dead-letter step). */
function startFailure(err: unknown): unknown {
  const surfaced = surface(err);
  if (surfaced !== err || isCancellation(err)) return surfaced;
  const cause = (err as { cause?: { message?: string } }).cause;
  return ApplicationFailure.create({
    type: signstashFailureTypes.startFailed,
    nonRetryable: true,
    message: `Sign'Stash did not accept the operation after 3 attempts (${cause?.message ?? 'unknown error'}); it needs a person`,
    cause: err as Error,
  });
}
