import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { workflowMetrics } from '../../src/metrics/workflow-metrics';
import { commonFailureTypes } from '../../src/contract/failure-types';
import {
  postenReleaseUnownedUpdate,
  postenStatusChangeSignal,
  postenUnownedStateQuery,
} from '../../src/contract/posten-signering/handlers';
import { isTerminalJobStatus, statusChangeKey, type PostenStatusChange } from '../../src/contract/posten-signering/job';
import type {
  UnownedJobInput,
  UnownedJobResult,
  UnownedJobResumeState,
} from '../../src/contract/posten-signering/poller';
import { searchAttributes } from '../../src/contract/search-attributes';
import { confirmActs, confirmOptions, ioActs, ioOptions } from './proxies';

type Mode = 'LATE_REDELIVERY' | 'DUPLICATE' | 'ADOPT' | 'HOLD';

/**
 * Status changes of a Posten job that no running Ferje job workflow owns (created outside Ferje, its workflow gone,
 * or a duplicate from a retried create). Nothing is lost and nothing is confirmed blindly:
 * - a late redelivery of a job whose Ferje workflow completed with this very job: confirmed (the owner stored all);
 * - a second job for the reference of a completed Ferje job: cancelled if still running, its documents stored, confirmed;
 * - otherwise, with policy ADOPT: every XAdES/PAdES stored, then confirmed, until the job ends;
 * - with policy HOLD (default): stored, but held unconfirmed (Posten keeps the job and redelivers every 10 minutes,
 *   which this workflow absorbs) until an operator confirms with `postenReleaseUnowned`.
 */
export async function postenUnownedJobWorkflow(input: UnownedJobInput): Promise<UnownedJobResult> {
  const s: UnownedJobResumeState = input.resume ?? {
    released: false,
    cancelled: false,
    changesReceived: 0,
    confirmed: 0,
    seenChangeKeys: [],
    xades: [],
    pendingChanges: [],
  };
  const queue: PostenStatusChange[] = s.pendingChanges;
  s.pendingChanges = [];
  const mode: Mode = input.ownedByClosedWorkflow
    ? 'LATE_REDELIVERY'
    : input.duplicateOf
      ? 'DUPLICATE'
      : input.policy === 'ADOPT'
        ? 'ADOPT'
        : 'HOLD';
  let decision: 'CONFIRM' | 'CANCEL_AND_CONFIRM' | undefined;
  let decisionApplied = false;

  setHandler(postenStatusChangeSignal, ({ change }) => void queue.push(change));
  setHandler(postenUnownedStateQuery, () => ({
    signatureJobId: input.signatureJobId,
    jobStatus: s.jobStatus,
    held: mode === 'HOLD' && !s.released,
    changesReceived: s.changesReceived,
    confirmed: s.confirmed,
    xadesStored: s.xades.filter((x) => x).length,
    padesStored: !!s.pades,
    decision,
  }));
  setHandler(
    postenReleaseUnownedUpdate,
    async (update) => {
      decision = update.action;
      await condition(() => decisionApplied);
      return { confirmed: s.released };
    },
    {
      validator: (_update: { action: 'CONFIRM' | 'CANCEL_AND_CONFIRM' }) => {
        if (mode !== 'HOLD' || s.released) throw new Error('this job is not held for a decision');
      },
    },
  );

  const show = (): void => {
    const held = mode === 'HOLD' && !s.released;
    upsertSearchAttributes([{ key: searchAttributes.status, value: held ? 'HELD' : (s.jobStatus ?? 'RECEIVED') }]);
    setCurrentDetails(
      [
        `**Unowned Posten job** \`${input.signatureJobId}\` · ${mode} · job status **${s.jobStatus ?? 'unknown'}**`,
        '',
        `Changes received: ${s.changesReceived}, confirmed: ${s.confirmed} · XAdES stored: ${s.xades.filter((x) => x).length} · PAdES: ${s.pades ? 'stored' : '—'}`,
        ...(held
          ? [
              '',
              'No Ferje job workflow owns this job. Its documents are stored; the change is **not confirmed**.',
              'Decide with the update `postenReleaseUnowned`: `CONFIRM` or `CANCEL_AND_CONFIRM`.',
            ]
          : []),
      ].join('\n'),
    );
  };

  const confirm = async (change: PostenStatusChange): Promise<void> => {
    try {
      await confirmActs.postenConfirm.executeWithOptions(
        { ...confirmOptions, summary: `confirm change of job ${change.signatureJobId}` },
        [{ sender: input.sender, url: change.confirmationUrl }],
      );
      s.confirmed++;
    } catch (err) {
      if (!isRejection(err)) throw err;
      log.warn('posten refused a confirmation', { signatureJobId: change.signatureJobId });
    }
  };

  const cancel = async (change: PostenStatusChange): Promise<void> => {
    if (s.cancelled || change.status !== 'IN_PROGRESS' || !change.cancellationUrl) return;
    await ioActs.postenCancel.executeWithOptions({ ...ioOptions, summary: `cancel job ${change.signatureJobId}` }, [
      { sender: input.sender, url: change.cancellationUrl },
    ]);
    s.cancelled = true;
  };

  const store = async (change: PostenStatusChange): Promise<void> => {
    const downloads = change.signatures.map(async (signature, position) => {
      if (!signature.xadesUrl || s.xades[position]) return;
      const ref = await ioActs.postenDownload
        .executeWithOptions({ ...ioOptions, summary: `download XAdES #${position + 1}` }, [
          {
            sender: input.sender,
            url: signature.xadesUrl,
            kind: 'xades',
            signatureJobId: change.signatureJobId,
            signerIndex: position,
          },
        ])
        .catch(ignoreRejection);
      while (s.xades.length <= position) s.xades.push(null);
      s.xades[position] = ref ?? null;
    });
    if (isTerminalJobStatus(change.status) && change.padesUrl && !s.pades) {
      const url = change.padesUrl;
      downloads.push(
        ioActs.postenDownload
          .executeWithOptions({ ...ioOptions, summary: 'download PAdES' }, [
            { sender: input.sender, url, kind: 'pades', signatureJobId: change.signatureJobId },
          ])
          .then((ref) => void (s.pades = ref))
          .catch(ignoreRejection),
      );
    }
    await Promise.all(downloads);
  };

  const finished = (): boolean => isTerminalJobStatus(s.jobStatus ?? '') && s.released;
  show();
  for (;;) {
    await condition(() => queue.length > 0 || (decision !== undefined && !decisionApplied));
    while (queue.length > 0) {
      const change = queue.shift()!;
      s.changesReceived++;
      if (mode === 'HOLD' && !s.released) workflowMetrics.count(ferjeMetrics.postenChangesHeld);
      const key = statusChangeKey(change);
      const fresh = !s.seenChangeKeys.includes(key);
      if (fresh) {
        s.seenChangeKeys.push(key);
        if (s.seenChangeKeys.length > 200) s.seenChangeKeys.shift();
        s.jobStatus = change.status;
        if (mode !== 'LATE_REDELIVERY') await store(change);
        if (mode === 'DUPLICATE') await cancel(change);
      }
      s.latest = change;
      if (mode !== 'HOLD' || s.released) {
        s.released = true;
        await confirm(change);
      }
      show();
    }
    if (decision !== undefined && !decisionApplied && s.latest) {
      if (decision === 'CANCEL_AND_CONFIRM') await cancel(s.latest);
      await confirm(s.latest);
      s.released = true;
      decisionApplied = true;
      show();
    }
    if (finished() || mode === 'LATE_REDELIVERY') break;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof postenUnownedJobWorkflow>({ ...input, resume: { ...s, pendingChanges: [...queue] } });
    }
  }
  await condition(allHandlersFinished);
  return {
    signatureJobId: input.signatureJobId,
    ...(s.jobStatus ? { jobStatus: s.jobStatus } : {}),
    decision:
      mode === 'LATE_REDELIVERY'
        ? 'CONFIRMED_LATE_REDELIVERY'
        : mode === 'DUPLICATE'
          ? 'CANCELLED_DUPLICATE'
          : mode === 'ADOPT'
            ? 'ADOPTED'
            : 'CONFIRMED_BY_OPERATOR',
    xades: s.xades.filter((x): x is NonNullable<typeof x> => x !== null),
    ...(s.pades ? { pades: s.pades } : {}),
  };
}

function isRejection(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === commonFailureTypes.rejectedByPartner
  );
}

/** A download Posten refuses (4xx: the job was finalised elsewhere) is recorded as missing, not retried forever. */
function ignoreRejection(err: unknown): undefined {
  if (isRejection(err)) return undefined;
  throw err;
}
