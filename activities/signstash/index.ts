import type { IntegrationContext } from '../../src/platform/integration';
import { checkStatus, fetchResult } from './operation';
import { prepareDocuments } from './prepare';
import { classified, createSignstashRuntime } from './runtime';
import { startOperation } from './start';

export type { CheckStatusOutput, FetchResultOutput, OperationRef } from './operation';
export type { PrepareDocumentsInput, PrepareDocumentsOutput } from './prepare';
export type { StartOperationInput, StartOperationOutput } from './start';

/** The Sign'Stash activities (names are persisted: they appear in every history). */
export function createSignstashActivities(ctx: IntegrationContext) {
  const rt = createSignstashRuntime(ctx);
  return {
    signstashPrepareDocuments: classified(prepareDocuments(rt)),
    signstashStartOperation: classified(startOperation(rt)),
    signstashCheckStatus: classified(checkStatus(rt)),
    signstashFetchResult: classified(fetchResult(rt)),
  };
}

export type SignstashActivities = ReturnType<typeof createSignstashActivities>;
