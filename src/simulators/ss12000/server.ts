import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Jwk } from '../../integrations/ss12000/jwt';
import { PersistedState } from '../persistence';
import { closeServer, listen, readBody, sendJson, sendText } from '../../http/server-utils';
import { sendListPage } from './list-response';
import { isResourceType, resourceTypes, type ResourceType } from '../../contract/ss12000';
import { listPaths } from '../../integrations/ss12000/model';
import type { Logger } from '../../logging/logger';
import { defaultSize, type HuvudmanSize } from './generator';
import { FakeIssuer, skolverketOrganisationId, webhookTokenAccesses, type TokenVariant } from './issuer';
import { Notifier } from './notifier';
import {
  deletedEntitiesStyles,
  ListRequestError,
  Tenant,
  type FaultRule,
  type TenantOptions,
  type TenantSnapshot,
} from './tenant';

export interface Ss12000SimulatorOptions {
  host?: string;
  port?: number;
  logger?: Logger;
  /** Verify bearer tokens on API calls (default true). */
  requireAuth?: boolean;
  /** The `requested_access` location webhook tokens grant (the client's entity id). */
  clientLocation?: string;
  notifierRetryDelayMs?: number;
  /**
   * Where the huvudman keeps its data, subscriptions, received logs and the token server's keys across restarts, as
   * a real huvudman and nutid do. Without it the simulator starts fresh every time (tests that want a clean slate).
   */
  dataDir?: string;
}

interface SimulatorSnapshot {
  tenants: TenantSnapshot[];
  issuerKeys: { key: Jwk; forger: Jwk };
}

const pathToType = Object.fromEntries(Object.entries(listPaths).map(([t, p]) => [p, t])) as Record<
  string,
  ResourceType
>;

/**
 * A huvudman SS12000 API (several tenants under `/hm/<name>`), its token server (`/transaction`, JWKS) and control
 * endpoints (`/control/…`) for tests and the demo: create a huvudman of any size, change and delete data (which
 * sends webhooks), inject faults, lose subscriptions, and read what the client logged and reported.
 */
export class Ss12000Simulator {
  readonly tenants = new Map<string, Tenant>();
  /** Every request a client sent (API of any tenant, token server, JWKS), control calls excepted: "no call" tests read it. */
  readonly received: { method: string; path: string }[] = [];
  issuer!: FakeIssuer;
  notifier!: Notifier;
  url = '';
  private closeFn: (() => Promise<void>) | undefined;
  private readonly pendingNotices = new Set<Promise<unknown>>();
  private persisted: PersistedState<SimulatorSnapshot> | undefined;

  constructor(private readonly options: Ss12000SimulatorOptions = {}) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.options.logger?.error('simulator failure', { error: (err as Error).message });
        if (!res.headersSent) sendJson(res, 500, { error: { code: 500, message: 'Internal server error.' } });
      });
    });
    const host = this.options.host ?? '127.0.0.1';
    const port = await listen(server, host, this.options.port ?? 0);
    this.url = `http://${host}:${port}`;
    const stateFile = this.options.dataDir ? path.join(this.options.dataDir, 'state.json') : undefined;
    const saved = stateFile ? PersistedState.load<SimulatorSnapshot>(stateFile) : undefined;
    this.issuer = new FakeIssuer(this.url, undefined, saved ? FakeIssuer.importKeys(saved.issuerKeys) : undefined);
    for (const tenant of saved?.tenants ?? [])
      this.tenants.set(tenant.options.name, new Tenant(tenant.options, tenant));
    if (stateFile) {
      const issuerKeys = this.issuer.exportKeys();
      this.persisted = new PersistedState<SimulatorSnapshot>(stateFile, () => ({
        tenants: [...this.tenants.values()].map((t) => t.exportState()),
        issuerKeys,
      }));
    }
    this.notifier = new Notifier({
      issuer: this.issuer,
      clientLocation: this.clientLocation,
      retryDelayMs: this.options.notifierRetryDelayMs,
    });
    this.closeFn = () => closeServer(server, 200);
    return this;
  }

  get clientLocation(): string {
    return this.options.clientLocation ?? 'https://api.skolverket.se/provtjanst/ss12000/klient/v1';
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pendingNotices]);
    await this.closeFn?.();
    this.persisted?.close();
  }

  addTenant(options: Omit<TenantOptions, 'size'> & { size?: Partial<HuvudmanSize> }): Tenant {
    const tenant = new Tenant({ ...options, size: { ...defaultSize, ...options.size } });
    this.tenants.set(tenant.name, tenant);
    return tenant;
  }

  baseUrl(tenant: string): string {
    return `${this.url}/hm/${tenant}`;
  }

  tenant(name: string): Tenant {
    const t = this.tenants.get(name);
    if (!t) throw new ListRequestError(404, 'Not found.');
    return t;
  }

  /** Changes data and sends the notices the reference would (one per write, one resource type each). */
  async change(
    name: string,
    changes: { type: ResourceType; modify?: number; add?: number; remove?: number }[],
  ): Promise<void> {
    const tenant = this.tenant(name);
    for (const c of changes) {
      if (c.modify) tenant.modify(c.type, c.modify);
      for (let i = 0; i < (c.add ?? 0); i++) tenant.add(c.type);
      if (c.modify || c.add) await this.notify(name, { modifiedTypes: [c.type], deleted: false });
      if (c.remove) {
        tenant.remove(c.type, c.remove);
        await this.notify(name, { modifiedTypes: [], deleted: true });
      }
    }
  }

  async notify(
    name: string,
    notice: { modifiedTypes: ResourceType[]; deleted: boolean },
    variant: TokenVariant = 'valid',
  ) {
    const p = this.notifier.notify(this.tenant(name), notice, variant);
    this.pendingNotices.add(p);
    try {
      return await p;
    } finally {
      this.pendingNotices.delete(p);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (!url.pathname.startsWith('/control')) this.received.push({ method: req.method ?? 'GET', path: url.pathname });
    const parts = url.pathname.split('/').filter(Boolean);
    const body = await readBody(req, 10 * 1024 * 1024);
    if (url.pathname === '/.well-known/jwks.json') return sendJson(res, 200, this.issuer.jwks());
    if (url.pathname === '/transaction' && req.method === 'POST') return this.issueToken(body, res);
    if (parts[0] === 'control') return this.control(req.method ?? 'GET', parts.slice(1), body, res);
    if (parts[0] !== 'hm' || !parts[1]) return sendText(res, 404, 'Not Found');
    const tenant = this.tenants.get(parts[1]);
    if (!tenant) return sendText(res, 404, 'Not Found');
    await this.api(tenant, req, `/${parts.slice(2).join('/')}`, url.searchParams, body, res);
  }

  private issueToken(body: Buffer, res: ServerResponse): void {
    const parsed = JSON.parse(body.toString('utf8') || '{}') as {
      access_token?: { access?: { type: string; locations: string[] }[] }[];
      client?: { key?: string };
    };
    const access = parsed.access_token?.[0]?.access ?? [];
    const value = this.issuer.mint(
      { organization_id: skolverketOrganisationId, entity_id: parsed.client?.key, requested_access: access },
      36_000,
    );
    sendJson(res, 200, { access_token: { value, access, expires_in: 36_000, flags: ['bearer'] } });
  }

  private async api(
    tenant: Tenant,
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const record = (status: number, page?: number): void => {
      tenant.requests.push({
        method,
        path,
        query: Object.fromEntries(query),
        status,
        page,
        at: new Date().toISOString(),
      });
    };
    if (this.options.requireAuth !== false) {
      const status = await this.issuer.checkApiToken(
        req.headers.authorization,
        this.baseUrl(tenant.name),
        skolverketOrganisationId,
      );
      if (status !== 200) {
        record(status);
        return sendText(res, status, status === 401 ? 'Unauthorized' : 'Forbidden');
      }
    }
    if (tenant.options.latencyMs) await new Promise((r) => setTimeout(r, tenant.options.latencyMs));
    const route = path.replace(/\/+$/, '') || '/';
    const type = pathToType[route];
    const listPage =
      method === 'GET' && (type !== undefined || route === '/deletedEntities') ? pageOf(query) : undefined;
    const fault = tenant.takeFault(route, listPage);
    if (fault) {
      if (fault.kind === 'drop') {
        record(0, listPage);
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'timeout') {
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 35_000));
        if (res.destroyed || req.socket.destroyed) return record(0, listPage);
      } else if (fault.kind === 'malformed') {
        record(200, listPage);
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"data": [{"id": "');
      } else {
        const status = Number(fault.kind);
        record(status, listPage);
        return sendJson(res, status, { error: { code: status, message: 'Internal server error.' } });
      }
    }
    try {
      if (method === 'GET' && type) {
        const { body: page, page: n } = tenant.listPage(type, query);
        record(200, n);
        return await sendListPage(res, page);
      }
      if (method === 'GET' && route === '/deletedEntities') {
        const { body: page, page: n } = tenant.deletedPage(query);
        record(200, n);
        return sendJson(res, 200, page);
      }
      if (method === 'POST' && route === '/subscriptions') {
        const sub = tenant.createSubscription(JSON.parse(body.toString('utf8') || 'null'));
        record(201);
        return sendJson(res, 201, sub);
      }
      const subMatch = /^\/subscriptions\/([^/]+)$/.exec(route);
      if (subMatch && method === 'PATCH') {
        const sub = tenant.renewSubscription(decodeURIComponent(subMatch[1]));
        record(sub ? 200 : 404);
        return sub ? sendJson(res, 200, sub) : sendJson(res, 404, { error: { code: 404, message: 'Not found.' } });
      }
      if (subMatch && method === 'DELETE') {
        tenant.subscriptions.delete(decodeURIComponent(subMatch[1]));
        record(204);
        res.writeHead(204).end();
        return;
      }
      if (method === 'POST' && (route === '/log' || route === '/statistics')) {
        const entry = JSON.parse(body.toString('utf8') || 'null') as Record<string, unknown> | null;
        const problem =
          route === '/log' ? logProblem(entry, tenant.options.logSchema ?? 'reference') : statisticsProblem(entry);
        if (problem) {
          record(400);
          return sendJson(res, 400, { errors: [problem] });
        }
        const stored = { ...entry, timeOfOccurance: entry?.timeOfOccurance ?? new Date().toISOString() };
        (route === '/log' ? tenant.logs : tenant.statistics).push(stored);
        record(201);
        return sendJson(res, 201, { message: 'created' });
      }
      record(404);
      return sendText(res, 404, 'Not Found');
    } catch (err) {
      if (err instanceof ListRequestError) {
        record(err.status);
        return sendJson(res, err.status, { error: { code: err.status, message: err.message } });
      }
      if (err instanceof SyntaxError) {
        record(400);
        return sendJson(res, 400, { error: { code: 400, message: 'Bad request.' } });
      }
      throw err;
    }
  }

  private async control(method: string, parts: string[], body: Buffer, res: ServerResponse): Promise<void> {
    const input = (body.length > 0 ? JSON.parse(body.toString('utf8')) : {}) as Record<string, unknown>;
    try {
      if (method === 'POST' && parts[0] === 'huvudman' && parts.length === 1) {
        const tenant = this.addTenant(input as unknown as TenantOptions);
        return sendJson(res, 201, { name: tenant.name, baseUrl: this.baseUrl(tenant.name) });
      }
      if (parts[0] !== 'hm' || !parts[1]) return sendJson(res, 404, { error: 'unknown control endpoint' });
      const tenant = this.tenant(parts[1]);
      const action = parts[2];
      if (method === 'POST' && action === 'changes') {
        await this.change(tenant.name, (input.changes ?? []) as Parameters<Ss12000Simulator['change']>[1]);
        return sendJson(res, 200, { ok: true });
      }
      if (method === 'POST' && action === 'notify') {
        const types = ((input.modifiedTypes ?? []) as unknown[]).filter(isResourceType);
        const deliveries = await this.notify(
          tenant.name,
          { modifiedTypes: types, deleted: input.deleted === true },
          (input.token as TokenVariant | undefined) ?? 'valid',
        );
        return sendJson(res, 200, { deliveries });
      }
      if (method === 'POST' && action === 'faults') {
        tenant.faults = ((input.rules ?? []) as FaultRule[]).map((r) => ({ ...r, fired: 0 }));
        return sendJson(res, 200, { ok: true });
      }
      if (method === 'POST' && action === 'settings') {
        applySettings(tenant, input);
        return sendJson(res, 200, { options: tenant.options });
      }
      if (method === 'POST' && action === 'lose-subscriptions') {
        tenant.subscriptions.clear();
        return sendJson(res, 200, { ok: true });
      }
      if (method === 'GET' && action === 'state') {
        return sendJson(res, 200, {
          counts: Object.fromEntries(resourceTypes.map((t) => [t, tenant.count(t)])),
          subscriptions: [...tenant.subscriptions.values()],
          logEntries: tenant.logs.length,
          statisticsEntries: tenant.statistics.length,
          requests: tenant.requests.length,
        });
      }
      if (method === 'GET' && action === 'log') return sendJson(res, 200, tenant.logs);
      if (method === 'GET' && action === 'statistics') return sendJson(res, 200, tenant.statistics);
      if (method === 'GET' && action === 'requests') return sendJson(res, 200, tenant.requests);
      return sendJson(res, 404, { error: 'unknown control endpoint' });
    } catch (err) {
      if (err instanceof ListRequestError) return sendJson(res, err.status, { error: err.message });
      throw err;
    }
  }
}

/** The switches a test or an operator may flip on a running huvudman (`POST /control/hm/<name>/settings`). */
const settingValues: Partial<Record<keyof TenantOptions, readonly unknown[]>> = {
  webhookTokenAccess: webhookTokenAccesses,
  deletedEntitiesStyle: deletedEntitiesStyles,
  webhookSpelling: ['modifiedEntities', 'modifiedEntites', 'both'],
  lastPageToken: ['omit', 'null', 'empty'],
  logSchema: ['reference', 'openapi'],
};

function applySettings(tenant: Tenant, input: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(input)) {
    const allowed = settingValues[key as keyof TenantOptions];
    if (!allowed?.includes(value)) throw new ListRequestError(400, `unknown setting or value: ${key}`);
  }
  Object.assign(tenant.options, input);
}

function pageOf(query: URLSearchParams): number {
  const token = query.get('pageToken');
  if (!token) return 1;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { cursor?: { page?: number } };
    return (parsed.cursor?.page ?? 0) + 1;
  } catch {
    return 0;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `reference`: the reference's `log.schema.json` (message and severityLevel required, the rest any string).
 * `openapi`: also the OpenAPI's `LogEntry` formats: `resourceId` a UUID, `resourceType` one of `EndPointsEnum`.
 */
function logProblem(entry: Record<string, unknown> | null, schema: 'reference' | 'openapi'): string | undefined {
  if (!entry || typeof entry.message !== 'string') return 'message is required';
  if (!['Info', 'Warning', 'Error'].includes(String(entry.severityLevel)))
    return 'severityLevel must be Info, Warning or Error';
  if (schema === 'openapi') {
    if (entry.resourceId !== undefined && !(typeof entry.resourceId === 'string' && UUID.test(entry.resourceId)))
      return 'resourceId must be a uuid';
    if (entry.resourceType !== undefined && !isResourceType(entry.resourceType))
      return 'resourceType must be one of EndPointsEnum';
  }
  return undefined;
}

function statisticsProblem(entry: Record<string, unknown> | null): string | undefined {
  if (!entry || typeof entry.resourceType !== 'string') return 'resourceType is required';
  for (const k of ['newCount', 'updatedCount', 'deletedCount']) {
    const v = entry[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `${k} must be an integer >= 0`;
  }
  return undefined;
}
