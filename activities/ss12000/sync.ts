import type { ResourceType, SyncStep } from '../../src/contract/ss12000';
import { PageSyncer, type PageCounts } from '../../src/integrations/ss12000/page-sync';
import { PageReadAhead } from '../../src/integrations/ss12000/read-ahead';
import type { TypeStateRow } from '../../src/integrations/ss12000/store/store';
import { EntityValidator } from '../../src/integrations/ss12000/validation';
import type { Ss12000ActivityContext } from './deps';
import { classified } from './failures';
import { withHeartbeats } from '../common/heartbeat';

/** Fetching pages into the store, reporting failed passes, and mirroring watermarks. */
export function syncActivities(ctx: Ss12000ActivityContext) {
  let validator: EntityValidator | undefined;
  // One per worker: a page fetched ahead by one activity is taken by the next page's activity on this worker.
  const readAhead = ctx.config.readAhead ? new PageReadAhead() : undefined;
  return {
    /** One page: GET, validate, upsert, report. Returns counts and the next token only. */
    async ss12000SyncPage(input: {
      huvudman: string;
      apiBaseUrl?: string;
      step: SyncStep;
      since?: string;
      pageToken?: string;
      limit: number;
      keptTypes: ResourceType[];
    }): Promise<PageCounts> {
      return classified(async () => {
        validator ??= new EntityValidator();
        const syncer = new PageSyncer({
          client: ctx.client(input.huvudman, input.apiBaseUrl),
          validator,
          store: await ctx.openStore(),
          reportConcurrency: ctx.config.reportConcurrency,
          logger: ctx.logger,
          readAhead,
        });
        // Heartbeats let a replacement worker take the page over within the heartbeat timeout after a crash.
        return withHeartbeats(() => syncer.syncPage(input), 3_000);
      });
    },

    /** When a pass fails: one log entry per resource type that failed or was not fetched because of it. */
    async ss12000ReportPassFailure(input: {
      huvudman?: string;
      apiBaseUrl?: string;
      failed: { step: SyncStep; message: string }[];
    }): Promise<{ posted: number }> {
      return classified(() => withHeartbeats(() => reportPassFailure(ctx, input)));
    },

    /** Mirrors watermarks and last outcomes into the store, for `ferje ss12000-status` without Temporal. */
    async ss12000RecordTypeStates(input: { huvudman: string; rows: TypeStateRow[] }): Promise<void> {
      await withHeartbeats(async () => (await ctx.openStore()).recordTypeStates(input.huvudman, input.rows));
    },
  };
}

async function reportPassFailure(
  ctx: Ss12000ActivityContext,
  input: { huvudman?: string; apiBaseUrl?: string; failed: { step: SyncStep; message: string }[] },
): Promise<{ posted: number }> {
  const api = ctx.client(input.huvudman, input.apiBaseUrl);
  let posted = 0;
  for (const f of input.failed) {
    try {
      await api.postLog({
        message: f.message,
        severityLevel: 'Error',
        messageType: 'SyncFailed',
        resourceType: f.step === 'Deleted' ? undefined : f.step,
        resourceUrl: `${api.baseUrl}${f.step === 'Deleted' ? '/deletedEntities' : ''}`,
        timeOfOccurance: new Date().toISOString(),
      });
      posted++;
    } catch (err) {
      ctx.logger.warn('ss12000 failure report not accepted', { error: (err as Error).name });
    }
  }
  return { posted };
}
