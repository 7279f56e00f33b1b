import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { DocumentsRetentionResult, RetentionPlan } from '../../src/contract/documents/retention';
import { sweepDocuments, temporalFlowState } from '../../src/documents/retention-sweep';
import type { DocumentStores } from '../../src/documents/stores';
import type { Logger } from '../../src/logging/logger';

export interface DocumentsActivityDeps {
  stores: DocumentStores;
  client: Client;
  logger: Logger;
}

export function createDocumentsActivities(deps: DocumentsActivityDeps) {
  return {
    /** One retention pass; heartbeats while it walks the store, so a lost worker's pass is started again soon. */
    async documentsRetentionSweep(plan: RetentionPlan): Promise<DocumentsRetentionResult> {
      const ctx = Context.current();
      const result = await sweepDocuments(plan, {
        stores: deps.stores,
        flowState: temporalFlowState(deps.client),
        now: () => Date.now(),
        progress: (examined) => ctx.heartbeat({ examined }),
      });
      deps.logger.info('documents retention pass', {
        examined: result.examined,
        deleted: result.deleted.count,
        deletedBytes: result.deleted.bytes,
        dryRun: plan.dryRun,
        kept: result.kept,
      });
      return result;
    },
  };
}

export type DocumentsActivities = ReturnType<typeof createDocumentsActivities>;
