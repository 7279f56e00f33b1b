import type { ResourceType } from '../../contract/ss12000';

/** List paths of the resource types (digest §1.1). */
export const listPaths: Record<ResourceType, string> = {
  Organisation: '/organisations',
  Person: '/persons',
  Group: '/groups',
  Duty: '/duties',
  Activity: '/activities',
};

/** Keys of `/deletedEntities` data per type; the standard's misspelling `activitites` is read too. */
export const deletedEntitiesKeys: Record<ResourceType, readonly string[]> = {
  Organisation: ['organisations'],
  Person: ['persons'],
  Group: ['groups'],
  Duty: ['duties'],
  Activity: ['activities', 'activitites'],
};

export interface SubscriptionDto {
  id: string;
  name: string;
  target: string;
  expires?: string;
}

/** `POST /log` body; the field is spelled `timeOfOccurance` in the standard and the reference. */
export interface LogEntry {
  message: string;
  severityLevel: 'Info' | 'Warning' | 'Error';
  messageType?: string;
  resourceType?: string;
  resourceId?: string;
  resourceUrl?: string;
  timeOfOccurance?: string;
}

/** `POST /statistics` body. DNP does not tell created from updated: everything is `updatedCount`. */
export interface StatisticsEntry {
  resourceType: string;
  newCount: number;
  updatedCount: number;
  deletedCount: number;
  resourceUrl?: string;
  timeOfOccurance?: string;
}

/** Webhook body: the standard's `modifiedEntites` and the reference's `modifiedEntities` are both read. */
export interface WebhookBody {
  modifiedEntites?: unknown;
  modifiedEntities?: unknown;
  deletedEntities?: unknown;
}
