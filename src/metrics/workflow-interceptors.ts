import {
  ApplicationFailure,
  isCancellation,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
} from '@temporalio/workflow';
import { ferjeMetrics } from './catalog';
import { workflowMetrics } from './workflow-metrics';

/**
 * Flow outcomes for every Ferje workflow type, without touching the workflows: completed by the result's own status
 * word (`status` or `outcome`, e.g. EXECUTED, LEVERT, SUCCEEDED), failed by failure type, and the time from the
 * flow's first start. Continue-as-new is neither. Bundled as a workflow interceptor module (src/worker/bundle.ts).
 */
class FlowOutcomes implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    let result: unknown;
    try {
      result = await next(input);
    } catch (err) {
      if (isContinueAsNew(err)) throw err;
      const failureType = isCancellation(err)
        ? 'Cancelled'
        : err instanceof ApplicationFailure
          ? (err.type ?? 'ApplicationFailure')
          : (err as Error).name;
      workflowMetrics.count(ferjeMetrics.flowsFailed, { failure_type: failureType });
      workflowMetrics.observe(ferjeMetrics.flowDuration, secondsSinceStart(), { result: 'failed' });
      throw err;
    }
    const status = statusOf(result);
    workflowMetrics.count(ferjeMetrics.flowsCompleted, { status });
    workflowMetrics.observe(ferjeMetrics.flowDuration, secondsSinceStart(), { result: status });
    return result;
  }
}

function isContinueAsNew(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'ContinueAsNew';
}

function statusOf(result: unknown): string {
  if (typeof result !== 'object' || result === null) return 'done';
  const { status, outcome } = result as { status?: unknown; outcome?: unknown };
  if (typeof status === 'string') return status;
  if (typeof outcome === 'string') return outcome;
  return 'done';
}

function secondsSinceStart(): number {
  return (Date.now() - workflowInfo().startTime.getTime()) / 1000;
}

export const interceptors = (): WorkflowInterceptors => ({ inbound: [new FlowOutcomes()] });
