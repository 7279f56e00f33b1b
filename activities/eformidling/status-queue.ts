import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  incomingHintSignal,
  inboxWorkflowId,
  messageWorkflowId,
  statusHintSignal,
} from '../../src/contract/eformidling';
import type { StatusHint } from '../../src/contract/eformidling';
import type { EformidlingDeps } from './deps';
import { classify } from './failures';

export interface DrainResult {
  dispatched: number;
  withoutWorkflow: number;
  /** True when the queue answered 204 (wait before the next drain). */
  empty: boolean;
}

export function createStatusQueueActivities(deps: () => EformidlingDeps) {
  return {
    /**
     * Reads the IP's status queue: peek → signal the message workflow (or hint the inboxes for incoming statuses) →
     * DELETE the entry, only after Temporal accepted the signal. A crash in between redelivers the entry; the message
     * workflow ignores a status it already has.
     */
    async eformidlingDrainStatusQueue(input: { batchSize: number }): Promise<DrainResult> {
      const { ip, temporal, config } = deps();
      const result: DrainResult = { dispatched: 0, withoutWorkflow: 0, empty: false };
      try {
        for (let i = 0; i < input.batchSize; i++) {
          const status = await ip.peekStatus();
          if (!status) {
            result.empty = true;
            break;
          }
          if (status.status === 'INNKOMMENDE_MOTTATT') {
            for (const inbox of config.inboxes) {
              await temporal.workflow
                .getHandle(inboxWorkflowId(inbox.name))
                .signal(incomingHintSignal, { messageId: status.messageId, status: status.status })
                .catch(() => undefined);
            }
            result.dispatched++;
          } else if (status.messageId) {
            const hint: StatusHint = {
              status: status.status,
              id: status.id,
              at: status.lastUpdate,
              source: 'status-queue',
              ...(status.description ? { description: status.description } : {}),
            };
            try {
              await temporal.workflow.getHandle(messageWorkflowId(status.messageId)).signal(statusHintSignal, hint);
              result.dispatched++;
            } catch (err) {
              // Not ours (another client of this IP, or an incoming status): acknowledge and move on.
              if (!(err instanceof WorkflowNotFoundError)) throw err;
              result.withoutWorkflow++;
            }
          }
          await ip.deleteStatus(status.id);
          Context.current().heartbeat(result);
        }
        return result;
      } catch (err) {
        return classify(err);
      }
    },
  };
}
