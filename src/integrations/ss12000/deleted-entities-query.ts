import type { ResourceType } from '../../contract/ss12000';

/**
 * How the `entities` filter of `GET /deletedEntities` is written. The two sources disagree:
 * - `comma`: the reference huvudman API (skolverket/dnp-ss12000-reference-api, `RequestHelper.parseQueryOptions` and
 *   `DeletedEntitiesDatabaseServiceImpl.addEntityParamsToQuery`) reads ONE value and splits it on commas
 *   (`entities=Person,Group`); of a repeated parameter it keeps the first value only and answers 200, so the other
 *   types' deletions are silently missing.
 * - `repeated`: the OpenAPI declares an array without `style`/`explode`, i.e. OpenAPI 3's default `form` with
 *   `explode: true` (`entities=Person&entities=Group`); a server that follows it reads `Person,Group` as one value
 *   that is not a resource type.
 * - `portable` (the default): written so that both read it the same way. One type is `entities=Person` in both
 *   styles; for several types the filter is left out (every server then answers all types) and the client keeps
 *   only the types it asked for. Costs at most the ids of deleted entities of types not kept.
 */
export type DeletedEntitiesQueryStyle = 'portable' | 'comma' | 'repeated';
export const deletedEntitiesQueryStyles: readonly DeletedEntitiesQueryStyle[] = ['portable', 'comma', 'repeated'];

export function isDeletedEntitiesQueryStyle(value: string): value is DeletedEntitiesQueryStyle {
  return (deletedEntitiesQueryStyles as readonly string[]).includes(value);
}

/** The `entities` query parameters for these types in this style (none: no filter). */
export function entitiesParams(types: readonly ResourceType[], style: DeletedEntitiesQueryStyle): string[] {
  if (types.length === 0) return [];
  if (style === 'repeated') return [...types];
  if (style === 'comma' || types.length === 1) return [types.join(',')];
  return [];
}
