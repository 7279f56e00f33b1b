import { randomUUID } from 'node:crypto';
import { resourceTypes, type ResourceType } from '../../contract/ss12000';
import { generateEntity, Prng, type Entity, type HuvudmanSize } from './generator';
import type { WebhookTokenAccess } from './issuer';

export interface FaultRule {
  /** List path without the tenant prefix (`/persons`, `/deletedEntities`, `/subscriptions`…) or `*`. */
  path: string;
  /** 1-based page of a list walk (page 1 has no pageToken); absent = every request to the path. */
  page?: number;
  kind: '500' | '503' | 'timeout' | 'malformed' | 'drop';
  /** How many matching requests fail before the rule stops firing; absent = always. */
  times?: number;
  /** For `timeout`: how long to hold the request (ms). */
  delayMs?: number;
}

export interface SimSubscription {
  id: string;
  name: string;
  target: string;
  resourceTypes: { resource: string }[];
  expires: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** For list GETs: the page number inside the walk (from the token). */
  page?: number;
  at: string;
}

export interface TenantOptions {
  name: string;
  organisationId: string;
  size: HuvudmanSize;
  /** Share (0..1) of generated entities that break a schema or DNP rule. */
  invalidShare?: number;
  seed?: number;
  /** How the last page says "no more": the reference omits the key, the standard allows null. */
  lastPageToken?: 'omit' | 'null' | 'empty';
  /** Webhook key spelling: the reference's `modifiedEntities`, the standard's `modifiedEntites`, or both. */
  webhookSpelling?: 'modifiedEntities' | 'modifiedEntites' | 'both';
  subscriptionExpiryDays?: number;
  /** What the notifier's tokens say about their access (default `omitted`, as the reference notifier's). */
  webhookTokenAccess?: WebhookTokenAccess;
  /**
   * How `/deletedEntities` reads `entities` (default `comma`, the reference): see `readEntitiesFilter`.
   */
  deletedEntitiesStyle?: DeletedEntitiesStyle;
  /** How strictly `POST /log` is checked: the reference's schema (default) or also the OpenAPI's formats. */
  logSchema?: 'reference' | 'openapi';
  /** Added to every API answer (ms): a slow huvudman, or time for a test to act mid-pass. */
  latencyMs?: number;
}

/**
 * `comma`: the reference's `RequestHelper.parseQueryOptions` keeps ONE value (Vert.x `MultiMap.get`, the first) and
 * `DeletedEntitiesDatabaseServiceImpl.addEntityParamsToQuery` splits it on commas: `entities=Person,Group` filters
 * both types, and a repeated `entities=Person&entities=Group` silently filters `Person` only (200).
 * `repeated`: a server that reads the OpenAPI declaration literally (array, `form`, `explode: true`): every value
 * must be one resource type, so `entities=Person,Group` is a 400, and repeated values all count.
 */
export type DeletedEntitiesStyle = 'comma' | 'repeated';
export const deletedEntitiesStyles: readonly DeletedEntitiesStyle[] = ['comma', 'repeated'];

interface Collection {
  byId: Map<string, Entity>;
  sorted: string[] | undefined;
}

interface Deletion {
  at: number;
  type: ResourceType;
  id: string;
}

export interface TenantSnapshot {
  options: TenantOptions;
  collections: Record<ResourceType, Map<string, Entity>>;
  deletions: Deletion[];
  subscriptions: Map<string, SimSubscription>;
  logs: Record<string, unknown>[];
  statistics: Record<string, unknown>[];
  requests: RecordedRequest[];
  lastStamp: number;
  rngState: number;
}

export const pluralKeys: Record<ResourceType, string> = {
  Organisation: 'organisations',
  Person: 'persons',
  Group: 'groups',
  Duty: 'duties',
  Activity: 'activities',
};

export class ListRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Cursor {
  req: { after?: string; before?: string; entities?: string[]; limit?: number };
  cursor: { limit?: number; index: string; page: number };
}

/** One huvudman's SS12000 API state: data, deletions, subscriptions, what the client reported, and faults. */
export class Tenant {
  readonly name: string;
  readonly organisationId: string;
  readonly options: TenantOptions;
  private readonly collections = {} as Record<ResourceType, Collection>;
  private readonly deletions: Deletion[] = [];
  readonly subscriptions = new Map<string, SimSubscription>();
  readonly logs: Record<string, unknown>[] = [];
  readonly statistics: Record<string, unknown>[] = [];
  readonly requests: RecordedRequest[] = [];
  faults: (FaultRule & { fired: number })[] = [];
  private lastStamp = 0;
  private readonly rng: Prng;

  constructor(options: TenantOptions, saved?: TenantSnapshot) {
    this.options = options;
    this.name = options.name;
    this.organisationId = options.organisationId;
    this.rng = new Prng(options.seed ?? 12000);
    for (const type of resourceTypes) this.collections[type] = { byId: new Map(), sorted: undefined };
    if (saved) this.importState(saved);
    else this.generate(options.size, options.invalidShare ?? 0);
  }

  /** The huvudman's data and records as persisted across simulator restarts (see ../persistence.ts). */
  exportState(): TenantSnapshot {
    return {
      options: this.options,
      collections: Object.fromEntries(resourceTypes.map((t) => [t, this.collections[t].byId])) as Record<
        ResourceType,
        Map<string, Entity>
      >,
      deletions: this.deletions,
      subscriptions: this.subscriptions,
      logs: this.logs,
      statistics: this.statistics,
      requests: this.requests,
      lastStamp: this.lastStamp,
      rngState: this.rng.state,
    };
  }

  private importState(saved: TenantSnapshot): void {
    for (const type of resourceTypes) this.collections[type].byId = saved.collections[type] ?? new Map();
    this.deletions.push(...saved.deletions);
    for (const [k, v] of saved.subscriptions) this.subscriptions.set(k, v);
    this.logs.push(...saved.logs);
    this.statistics.push(...saved.statistics);
    this.requests.push(...saved.requests);
    this.lastStamp = saved.lastStamp;
    this.rng.state = saved.rngState;
  }

  /** A strictly increasing clock for meta.modified, so `meta.modified.after` never misses a change. */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  private generate(size: HuvudmanSize, invalidShare: number): void {
    const refs = {
      organisations: [] as string[],
      persons: [] as string[],
      groups: [] as string[],
      duties: [] as string[],
    };
    const counts: Record<ResourceType, number> = {
      Organisation: size.organisations,
      Person: size.persons,
      Group: size.groups,
      Duty: size.duties,
      Activity: size.activities,
    };
    // Generated data was last changed a month ago; changes made through the simulator are stamped now.
    const stamp = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const refKey: Record<ResourceType, keyof typeof refs | undefined> = {
      Organisation: 'organisations',
      Person: 'persons',
      Group: 'groups',
      Duty: 'duties',
      Activity: undefined,
    };
    for (const type of resourceTypes) {
      for (let i = 0; i < counts[type]; i++) {
        const entity = generateEntity(type, i, this.rng, refs, stamp, this.rng.next() < invalidShare);
        const key = typeof entity.id === 'string' ? entity.id : randomUUID();
        this.collections[type].byId.set(key, entity);
        const rk = refKey[type];
        if (rk && typeof entity.id === 'string') refs[rk].push(entity.id);
      }
    }
  }

  count(type: ResourceType): number {
    return this.collections[type].byId.size;
  }

  ids(type: ResourceType): string[] {
    return this.sortedIds(type);
  }

  entity(type: ResourceType, id: string): Entity | undefined {
    return this.collections[type].byId.get(id);
  }

  private sortedIds(type: ResourceType): string[] {
    const c = this.collections[type];
    c.sorted ??= [...c.byId.keys()].sort().reverse();
    return c.sorted;
  }

  /** Changes `count` entities of a type (a new displayName/familyName) and stamps them modified now. */
  modify(type: ResourceType, count: number): string[] {
    const ids = this.sortedIds(type).filter((id) => typeof this.collections[type].byId.get(id)?.id === 'string');
    const changed: string[] = [];
    for (let i = 0; i < count && ids.length > 0; i++) {
      const id = ids[this.rng.int(ids.length)];
      const e = this.collections[type].byId.get(id)!;
      if (type === 'Person') e.familyName = `${String(e.familyName)}-Ändrad`;
      else if (type !== 'Duty') e.displayName = `${String(e.displayName)} (ändrad)`;
      else e.dutyRole = e.dutyRole === 'Lärare' ? 'Förstelärare' : 'Lärare';
      e.meta = { ...e.meta, modified: this.stamp() };
      changed.push(id);
    }
    return changed;
  }

  /** Adds one valid entity of a type (a created entity is "modified" too). */
  add(type: ResourceType): string {
    const refs = {
      organisations: this.sortedIds('Organisation'),
      persons: this.sortedIds('Person'),
      groups: this.sortedIds('Group'),
      duties: this.sortedIds('Duty'),
    };
    const stamp = this.stamp();
    const e = generateEntity(type, this.count(type), this.rng, refs, stamp, false);
    this.collections[type].byId.set(e.id as string, e);
    this.collections[type].sorted = undefined;
    return e.id as string;
  }

  remove(type: ResourceType, count: number): string[] {
    const ids = this.sortedIds(type);
    const removed: string[] = [];
    for (let i = 0; i < count && ids.length > 0; i++) {
      const id = ids[this.rng.int(ids.length)];
      if (!this.collections[type].byId.delete(id)) continue;
      this.collections[type].sorted = undefined;
      this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
      this.deletions.push({ at: this.lastStamp, type, id });
      removed.push(id);
    }
    return removed;
  }

  private decodeToken(token: string): Cursor {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Cursor;
      if (typeof parsed.cursor?.index !== 'string') throw new Error('no cursor');
      return parsed;
    } catch {
      throw new ListRequestError(400, 'Bad request.');
    }
  }

  private lastToken(): Record<string, unknown> {
    const style = this.options.lastPageToken ?? 'omit';
    return style === 'omit' ? {} : { pageToken: style === 'null' ? null : '' };
  }

  /** A list page with the reference's rules (ids descending, exclusive `after`, inclusive `before`). */
  listPage(
    type: ResourceType,
    query: URLSearchParams,
  ): { body: { data: Entity[] } & Record<string, unknown>; page: number } {
    const token = query.get('pageToken');
    const filterKeys = [...query.keys()].filter((k) => k.startsWith('meta.') || k === 'after' || k === 'entities');
    let req: Cursor['req'];
    let start: string | undefined;
    let page = 1;
    if (token) {
      if (filterKeys.length > 0) throw new ListRequestError(400, 'Bad request.');
      const cursor = this.decodeToken(token);
      req = cursor.req;
      start = cursor.cursor.index;
      page = cursor.cursor.page + 1;
    } else {
      req = {
        after: parseInstant(query.get('meta.modified.after')),
        before: parseInstant(query.get('meta.modified.before')),
      };
    }
    const limit = parseLimit(query.get('limit')) ?? req.limit;
    req.limit = limit;
    const ids = this.sortedIds(type);
    const from = start === undefined ? 0 : firstBelow(ids, start);
    const data: Entity[] = [];
    const after = req.after ? Date.parse(req.after) : undefined;
    const before = req.before ? Date.parse(req.before) : undefined;
    let lastId: string | undefined;
    for (let i = from; i < ids.length && (limit === undefined || data.length < limit); i++) {
      const e = this.collections[type].byId.get(ids[i])!;
      const modified = Date.parse(e.meta.modified);
      if (after !== undefined && !(modified > after)) continue;
      if (before !== undefined && !(modified <= before)) continue;
      data.push(e);
      lastId = ids[i];
    }
    const full = limit !== undefined && data.length === limit && lastId !== undefined;
    const next = full ? encodeToken({ req, cursor: { limit, index: lastId!, page } }) : undefined;
    return { body: next ? { data, pageToken: next } : { data, ...this.lastToken() }, page };
  }

  deletedPage(query: URLSearchParams): { body: Record<string, unknown>; page: number } {
    const token = query.get('pageToken');
    let req: Cursor['req'];
    let start: string | undefined;
    let page = 1;
    if (token) {
      if (query.has('after') || query.has('entities')) throw new ListRequestError(400, 'Bad request.');
      const cursor = this.decodeToken(token);
      req = cursor.req;
      start = cursor.cursor.index;
      page = cursor.cursor.page + 1;
    } else {
      req = { after: parseInstant(query.get('after')), entities: this.readEntitiesFilter(query) };
    }
    const limit = parseLimit(query.get('limit')) ?? req.limit;
    req.limit = limit;
    const after = req.after ? Date.parse(req.after) : undefined;
    // Ordered newest first, by a sequence that makes a stable cursor.
    const rows = this.deletions
      .map((d, seq) => ({ ...d, key: String(seq).padStart(12, '0') }))
      .reverse()
      .filter((d) => (after === undefined || d.at > after) && (!req.entities || req.entities.includes(d.type)))
      .filter((d) => start === undefined || d.key < start);
    const taken = limit === undefined ? rows : rows.slice(0, limit);
    const data: Record<string, string[]> = {};
    for (const d of taken) (data[pluralKeys[d.type]] ??= []).push(d.id);
    const full = limit !== undefined && taken.length === limit;
    const next = full ? encodeToken({ req, cursor: { limit, index: taken[taken.length - 1].key, page } }) : undefined;
    return { body: next ? { data, pageToken: next } : { data, ...this.lastToken() }, page };
  }

  private readEntitiesFilter(query: URLSearchParams): string[] | undefined {
    if (!query.has('entities')) return undefined;
    if ((this.options.deletedEntitiesStyle ?? 'comma') === 'comma') {
      // URLSearchParams.get, like MultiMap.get, returns the first value; the reference matches the parts exactly.
      return query.get('entities')!.split(',');
    }
    const values = query.getAll('entities');
    if (!values.every((v) => (resourceTypes as readonly string[]).includes(v))) {
      throw new ListRequestError(400, 'Bad request.');
    }
    return values;
  }

  createSubscription(body: unknown): SimSubscription {
    const b = body as { name?: unknown; target?: unknown; resourceTypes?: unknown };
    if (
      typeof b?.name !== 'string' ||
      typeof b.target !== 'string' ||
      !/^https?:\/\//.test(b.target) ||
      !Array.isArray(b.resourceTypes) ||
      b.resourceTypes.length === 0
    ) {
      throw new ListRequestError(400, 'subscription does not match the schema');
    }
    const types = b.resourceTypes.map((r: unknown) =>
      typeof r === 'string' ? { resource: r } : { resource: String((r as { resource?: unknown }).resource) },
    );
    const sub: SimSubscription = {
      id: randomUUID(),
      name: b.name,
      target: b.target,
      resourceTypes: types,
      expires: this.expiry(),
    };
    this.subscriptions.set(sub.id, sub);
    return sub;
  }

  renewSubscription(id: string): SimSubscription | undefined {
    this.dropExpired();
    const sub = this.subscriptions.get(id);
    if (!sub) return undefined;
    sub.expires = this.expiry();
    return sub;
  }

  /** Expired subscriptions are forgotten (the reference never enforces expiry; a stricter huvudman does). */
  dropExpired(): void {
    for (const [id, sub] of this.subscriptions)
      if (Date.parse(sub.expires) <= Date.now()) this.subscriptions.delete(id);
  }

  private expiry(): string {
    return new Date(Date.now() + (this.options.subscriptionExpiryDays ?? 90) * 86_400_000).toISOString();
  }

  /** The first matching fault rule that still fires, counted as fired. */
  takeFault(path: string, page: number | undefined): FaultRule | undefined {
    const rule = this.faults.find(
      (f) =>
        (f.path === '*' || f.path === path) &&
        (f.page === undefined || f.page === page) &&
        (f.times === undefined || f.fired < f.times),
    );
    if (rule) rule.fired++;
    return rule;
  }
}

function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64');
}

function firstBelow(desc: string[], cursor: string): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (desc[mid] < cursor) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function parseInstant(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  // The reference parses with an offset-aware parser: a value without offset is a 400.
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ||
    Number.isNaN(Date.parse(raw))
  ) {
    throw new ListRequestError(400, 'Bad request.');
  }
  return raw;
}

function parseLimit(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ListRequestError(400, 'Bad request.');
  return n;
}
