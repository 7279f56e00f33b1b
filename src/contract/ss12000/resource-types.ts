/**
 * The SS12000 resource types Ferje keeps, in the fixed order the DNP client fetches them. Groups reference persons,
 * duties reference persons and organisations and activities reference groups and duties, so a pass in this order
 * never stores a reference before its target.
 */
export const resourceTypes = ['Organisation', 'Person', 'Group', 'Duty', 'Activity'] as const;

export type ResourceType = (typeof resourceTypes)[number];

/** A step of a sync pass: one resource type, or `Deleted` (the `/deletedEntities` list), which always runs last. */
export type SyncStep = ResourceType | 'Deleted';

export const syncSteps: readonly SyncStep[] = [...resourceTypes, 'Deleted'];

export function isResourceType(value: unknown): value is ResourceType {
  return typeof value === 'string' && (resourceTypes as readonly string[]).includes(value);
}

/** Orders steps as a pass runs them, dropping duplicates. */
export function inSyncOrder(steps: readonly SyncStep[]): SyncStep[] {
  return syncSteps.filter((step) => steps.includes(step));
}
