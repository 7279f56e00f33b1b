import { eformidlingFlows } from './eformidling/flows';
import type { FlowDefinition } from './flow';
import { postenFlows } from './posten-signering/flows';
import { ss12000Flows } from './ss12000/flows';
import { signstashFlows } from './signstash/flows';

/**
 * Every workflow type a caller may start, by CLI name. Long-lived internal workflows (pollers, inboxes) are started by
 * Ferje itself and are listed too, so operators can start them by hand.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const flows: Record<string, FlowDefinition<any, any>> = {
  ...postenFlows,
  ...eformidlingFlows,
  ...signstashFlows,
  ...ss12000Flows,
};
