export * from './simulator';
export type { OperationPlan, Scenario } from './operations';
export type { InjectedFault, InstanceStats } from './instance';
