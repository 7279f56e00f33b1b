import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { DocumentsActivities } from '../../activities/documents';
import {
  retentionPlanOf,
  validateRetentionInput,
  type DocumentsRetentionInput,
  type DocumentsRetentionResult,
} from '../../src/contract/documents/retention';
import { guardedWorkflow } from '../common';

const { documentsRetentionSweep } = proxyActivities<DocumentsActivities>({
  // Walking a large store takes a while; the heartbeat, not the overall timeout, notices a lost worker.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '30 seconds', maximumAttempts: 5 },
  summary: 'delete documents only closed flows reference',
});

/**
 * One retention run, started by the `ferje-documents-retention` schedule (or by hand). The result — what was
 * deleted, by count and sha256, and what was kept and why — is what the operator reads in the UI. Inside the shared
 * guard like every Ferje workflow: the whole input is validated before anything is deleted, and a defect fails the
 * run (typed, non-retryable) instead of retrying its task forever. Neither adds a command, so the committed
 * histories replay unchanged.
 */
export const documentsRetention = guardedWorkflow<DocumentsRetentionInput | undefined, DocumentsRetentionResult>(
  'documents retention input',
  validateRetentionInput,
  async (input) => {
    const plan = retentionPlanOf(input);
    const days = (ms: number): string => `${+(ms / 86_400_000).toFixed(3)} day(s)`;
    setCurrentDetails(
      `**Documents retention**${plan.dryRun ? ' (dry run)' : ''} · keep ${days(plan.retainAfterCloseMs)} after the ` +
        `last flow closed · unused uploads ${days(plan.unusedUploadGraceMs)}`,
    );
    const result = await documentsRetentionSweep(plan);
    setCurrentDetails(
      [
        `**Documents retention**${plan.dryRun ? ' (dry run: nothing deleted)' : ''} · ${result.examined} document(s) examined`,
        `- Deleted ${result.deleted.count} (${result.deleted.bytes} bytes): ${result.deleted.closedFlows} of closed flows, ${result.deleted.unusedUploads} unused upload(s)`,
        `- Kept: ${result.kept.openFlow} open flow, ${result.kept.recentlyClosed} recently closed, ${result.kept.recentUpload} recent upload, ${result.kept.undecided} undecided`,
      ].join('\n'),
    );
    return result;
  },
);
