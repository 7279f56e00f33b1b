import { request, type Dispatcher } from 'undici';
import type { ResourceType } from '../../contract/ss12000';
import {
  Ss12000Error,
  Ss12000MalformedResponseError,
  Ss12000RejectedError,
  Ss12000SubscriptionLostError,
  Ss12000UnauthorizedError,
  Ss12000UnavailableError,
} from './errors';
import type { TokenProvider } from './token-provider';
import { entitiesParams, type DeletedEntitiesQueryStyle } from './deleted-entities-query';
import { splitListBody, type SplitListBody } from './list-body';
import { deletedEntitiesKeys, listPaths, type LogEntry, type StatisticsEntry, type SubscriptionDto } from './model';

export interface ApiClientOptions {
  baseUrl: string;
  tokens: TokenProvider;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** How `entities` is written on `/deletedEntities` (default `portable`: see deleted-entities-query.ts). */
  deletedEntitiesStyle?: DeletedEntitiesQueryStyle;
}

export interface EntityPage {
  entities: unknown[];
  /** Absent when this was the last page (missing, null and empty tokens all end a list). */
  nextPageToken?: string;
  /** The request URL, for log entries the huvudman can trace. */
  resourceUrl: string;
}

/** A list page with each entity as its JSON text, parsed by whoever processes it (see list-body.ts). */
export interface EntityTextPage {
  entityTexts: string[];
  nextPageToken?: string;
  resourceUrl: string;
}

/**
 * A list GET's answer as it came, not yet split into entity texts: what a read-ahead holds until the page's activity
 * takes it (read-ahead.ts), so splitting it costs that activity and not whatever the worker is doing when it arrives.
 */
export interface EntityListAnswer {
  type: ResourceType;
  bytes: Uint8Array;
  status: number;
  label: string;
  resourceUrl: string;
}

export interface DeletedPage {
  /** Only the types asked for (when `entities` was given), whatever else the huvudman answered. */
  deleted: Partial<Record<ResourceType, string[]>>;
  nextPageToken?: string;
  resourceUrl: string;
}

export interface ListQuery {
  limit?: number;
  /** `meta.modified.after` (ISO 8601, exclusive) — only on the first page; the token carries it afterwards. */
  modifiedAfter?: string;
  pageToken?: string;
}

function endOfList(token: unknown): string | undefined {
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

const utf8 = new TextDecoder();

/**
 * A huvudman's SS12000 API as the DNP client uses it: paged resource lists, deleted entities, subscriptions, and the
 * log and statistics it reports back. Every call carries the bearer token; every failure is one of the
 * `Ss12000Error` classes, classified retryable or not.
 */
export class Ss12000ApiClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async listPage(type: ResourceType, query: ListQuery): Promise<EntityPage> {
    const { entityTexts, ...page } = await this.listPageTexts(type, query);
    return { ...page, entities: entityTexts.map((text) => parseEntity(listPaths[type], text)) };
  }

  /**
   * The same page without parsing its entities: a sync parses each one only while it validates it, so a page never
   * holds all its entities as objects at once. `parseEntity` turns a text into the entity.
   */
  async listPageTexts(type: ResourceType, query: ListQuery): Promise<EntityTextPage> {
    return this.readListAnswer(await this.fetchListAnswer(type, query));
  }

  /** The GET of `listPageTexts` alone: its answer's bytes (HTTP failures are thrown here). */
  async fetchListAnswer(type: ResourceType, query: ListQuery): Promise<EntityListAnswer> {
    const url = this.listUrl(listPaths[type], query, 'meta.modified.after');
    const { bytes, status, label } = await this.sendForBytes('GET', url);
    return { type, bytes, status, label, resourceUrl: url };
  }

  /** The rest of `listPageTexts`: the answer split into entity texts and its next token (a bad body is thrown here). */
  readListAnswer(answer: EntityListAnswer): EntityTextPage {
    const { type, bytes, status, label, resourceUrl } = answer;
    let body: SplitListBody;
    try {
      body = bytes.length === 0 ? { fields: {} } : splitListBody(bytes);
    } catch {
      throw new Ss12000MalformedResponseError(`${label}: body is not JSON`, status);
    }
    if (!body.elements) throw new Ss12000MalformedResponseError(`${listPaths[type]} answered without a data array`);
    return { entityTexts: body.elements, nextPageToken: endOfList(body.fields.pageToken), resourceUrl };
  }

  async deletedEntitiesPage(query: ListQuery & { entities?: ResourceType[] }): Promise<DeletedPage> {
    const url = this.listUrl('/deletedEntities', query, 'after', query.pageToken ? undefined : query.entities);
    const body = await this.getJson(url);
    const data = (body as { data?: unknown }).data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new Ss12000MalformedResponseError('/deletedEntities answered without a data object');
    }
    const deleted: Partial<Record<ResourceType, string[]>> = {};
    for (const [type, keys] of Object.entries(deletedEntitiesKeys) as [ResourceType, readonly string[]][]) {
      if (query.entities && !query.entities.includes(type)) continue;
      // Both spellings (`activities` from the reference code, `activitites` from the standard) are read.
      const ids = keys.flatMap((key) => {
        const value = (data as Record<string, unknown>)[key];
        return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
      });
      if (ids.length > 0) deleted[type] = ids;
    }
    return { deleted, nextPageToken: endOfList((body as { pageToken?: unknown }).pageToken), resourceUrl: url };
  }

  async createSubscription(input: {
    name: string;
    target: string;
    resourceTypes: ResourceType[];
  }): Promise<SubscriptionDto> {
    const body = await this.send('POST', `${this.baseUrl}/subscriptions`, {
      name: input.name,
      target: input.target,
      resourceTypes: input.resourceTypes.map((resource) => ({ resource })),
    });
    return parseSubscription(body);
  }

  /** PATCH resets `expires`; a 404 means the huvudman no longer has it. */
  async renewSubscription(id: string): Promise<SubscriptionDto> {
    try {
      return parseSubscription(await this.send('PATCH', `${this.baseUrl}/subscriptions/${encodeURIComponent(id)}`));
    } catch (err) {
      if (err instanceof Ss12000RejectedError && err.httpStatus === 404) {
        throw new Ss12000SubscriptionLostError('the huvudman API does not know the subscription (404)');
      }
      throw err;
    }
  }

  async deleteSubscription(id: string): Promise<void> {
    try {
      await this.send('DELETE', `${this.baseUrl}/subscriptions/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err instanceof Ss12000RejectedError && err.httpStatus === 404) return;
      throw err;
    }
  }

  async postLog(entry: LogEntry): Promise<void> {
    await this.send('POST', `${this.baseUrl}/log`, entry);
  }

  async postStatistics(entry: StatisticsEntry): Promise<void> {
    await this.send('POST', `${this.baseUrl}/statistics`, entry);
  }

  private listUrl(path: string, query: ListQuery, afterParam: string, entities?: ResourceType[]): string {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.pageToken) {
      // Filters travel inside the token; resending them is a 400 at the huvudman.
      params.set('pageToken', query.pageToken);
    } else {
      if (query.modifiedAfter) params.set(afterParam, query.modifiedAfter);
      for (const value of entitiesParams(entities ?? [], this.options.deletedEntitiesStyle ?? 'portable')) {
        params.append('entities', value);
      }
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private async getJson(url: string): Promise<unknown> {
    return this.send('GET', url);
  }

  private async send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<unknown> {
    const { bytes, status, label } = await this.sendForBytes(method, url, body);
    // As undici's text(): UTF-8, a leading byte order mark dropped, invalid sequences as U+FFFD.
    const text = utf8.decode(bytes);
    if (text.length === 0) return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Ss12000MalformedResponseError(`${label}: body is not JSON`, status);
    }
  }

  /** The request, with every failed status turned into its `Ss12000Error`; the body's bytes (none on 204). */
  private async sendForBytes(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ bytes: Uint8Array; status: number; label: string }> {
    const token = await this.options.tokens.tokenFor(this.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const label = `${method} ${new URL(url).pathname.replace(this.pathPrefix(), '')}`;
    let res: Dispatcher.ResponseData;
    let bytes: Uint8Array;
    try {
      res = await request(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        dispatcher: this.options.dispatcher,
      });
      bytes = await res.body.bytes();
    } catch (err) {
      if (err instanceof Ss12000Error) throw err;
      throw new Ss12000UnavailableError(
        `${label}: no answer (${(err as { code?: string }).code ?? (err as Error).name})`,
      );
    }
    const status = res.statusCode;
    if (status >= 500 || status === 429) throw new Ss12000UnavailableError(`${label}: HTTP ${status}`, status);
    if (status === 401 || status === 403) throw new Ss12000UnauthorizedError(`${label}: HTTP ${status}`, status);
    if (status >= 400) throw new Ss12000RejectedError(`${label}: HTTP ${status}`, status);
    return { bytes: status === 204 ? new Uint8Array(0) : bytes, status, label };
  }

  private pathPrefix(): string {
    return new URL(this.baseUrl).pathname.replace(/\/+$/, '');
  }
}

/** One entity of a list page from its JSON text (`listPageTexts`); a text that is not JSON is a malformed answer. */
export function parseEntity(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Ss12000MalformedResponseError(`${path} answered an entity that is not JSON`);
  }
}

function parseSubscription(body: unknown): SubscriptionDto {
  const b = body as Partial<SubscriptionDto>;
  if (typeof b.id !== 'string' || b.id.length === 0) {
    throw new Ss12000MalformedResponseError('subscription answer has no id');
  }
  return {
    id: b.id,
    name: typeof b.name === 'string' ? b.name : '',
    target: typeof b.target === 'string' ? b.target : '',
    expires: typeof b.expires === 'string' ? b.expires : undefined,
  };
}
