import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { BodyTooLargeError, closeServer, listen, readBody, sendJson } from '../../http/server-utils';
import { errorCodes, type WireSignRequest } from '../../integrations/signstash/wire';
import { simulatorOpenApi } from './openapi';
import { routePatterns, simulatorErrorCodes, simulatorPaths } from './routes';
import {
  asyncOperationView,
  createOperation,
  ProductError,
  productError,
  scenarios,
  signResultView,
  statusAt,
  validateSignRequest,
  type OperationPlan,
  type Scenario,
  type StoredOperation,
} from './operations';
import type { SimulatorShared } from './shared';

/** Header the load balancer adds so that instances do not count forwarded calls as direct ones. */
export const viaLoadBalancerHeader = 'x-signstash-sim-via-lb';

/**
 * `accept-then-drop`: a start is registered, then the connection is cut before the answer (lost response).
 * `accept-then-stall`: the request is handled, but the answer leaves only after `STALL_MS` (a slow upload or a busy
 * proxy), so a test can kill the caller while the call is in flight.
 * `gateway-404`: a reverse proxy in front of the instance answers its own HTML 404 page (a missing route, a
 * redeployed backend): the request never reaches the proxy, so it says nothing about the operation.
 */
export type InjectedFault =
  'http-500' | 'drop' | 'malformed' | 'accept-then-drop' | 'accept-then-stall' | 'gateway-404';

/** What nginx answers for a location it has no route for (its default error page). */
export const gateway404Page =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export const STALL_MS = 4000;

export interface InstanceStats {
  starts: number;
  statusCalls: number;
  detailCalls: number;
  syncCalls: number;
  /** Direct follow-up calls for a reference that another instance owns: the client broke affinity. */
  wrongInstanceCalls: number;
  notFound: number;
  unauthorized: number;
}

/**
 * One Sign'Stash Proxy instance: its own port, its own state directory (kept across stop/start, like the product's
 * local database), nothing shared with the other instances except the token key and client-services-config.json.
 */
export class SimulatedInstance {
  private server: Server | undefined;
  private readonly operations = new Map<string, StoredOperation>();
  private readonly faults: InjectedFault[] = [];
  readonly stats: InstanceStats = emptyStats();
  port: number;

  constructor(
    readonly index: number,
    private readonly host: string,
    listenPort: number,
    private readonly stateDir: string,
    private readonly shared: SimulatorShared,
    private advertised: { host?: string; port?: number } = {},
  ) {
    this.port = listenPort;
  }

  get running(): boolean {
    return this.server?.listening ?? false;
  }

  get advertisedHost(): string {
    return this.advertised.host ?? this.host;
  }

  get advertisedPort(): number {
    return this.advertised.port ?? this.port;
  }

  /** Starts (or restarts on the same port) and loads whatever state the instance had on disk. */
  async start(): Promise<void> {
    if (this.running) return;
    this.load();
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, productError(500, errorCodes.unhandled, (err as Error).message).body);
      });
    });
    this.port = await listen(server, this.host, this.port);
    this.server = server;
  }

  /** Stops listening and drops open connections; state stays on disk for a later start(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server, 0);
  }

  /** The instance loses everything it knew (a container recreated without its volume). */
  forgetState(): void {
    this.operations.clear();
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  advertise(advertised: { host?: string; port?: number }): void {
    this.advertised = advertised;
  }

  injectFaults(fault: InjectedFault, count: number): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Whether this instance holds a live operation for the reference (simulator bookkeeping, not product logic). */
  holds(externalReference: string): boolean {
    return this.live(externalReference, undefined).length > 0;
  }

  operationCount(): number {
    return this.operations.size;
  }

  private load(): void {
    this.operations.clear();
    mkdirSync(this.stateDir, { recursive: true });
    for (const file of readdirSync(this.stateDir).filter((f) => f.endsWith('.json'))) {
      const op = JSON.parse(readFileSync(path.join(this.stateDir, file), 'utf8')) as StoredOperation;
      this.operations.set(op.id, op);
    }
  }

  private save(op: StoredOperation): void {
    mkdirSync(this.stateDir, { recursive: true });
    writeFileSync(path.join(this.stateDir, `${op.id}.json`), JSON.stringify(op));
    this.operations.set(op.id, op);
  }

  /** Operations under a reference that have not passed retention, newest first (optionally of one client service). */
  private live(externalReference: string, clientServiceId: string | undefined): StoredOperation[] {
    const now = this.shared.now();
    return [...this.operations.values()]
      .filter(
        (op) =>
          op.externalReference === externalReference &&
          (clientServiceId === undefined || op.clientServiceId === clientServiceId) &&
          (statusAt(op, now) === 'PENDING_EXECUTION' || op.finalAtMs + this.shared.options.retentionMs > now),
      )
      .sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const fault = this.faults.shift();
    if (fault === 'accept-then-drop') {
      res.writeHead = () => {
        req.socket.destroy();
        return res;
      };
    }
    if (fault === 'accept-then-stall') {
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        setTimeout(() => end(...args), STALL_MS);
        return res;
      }) as typeof res.end;
    }
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === 'http-500') return sendJson(res, 500, productError(500, errorCodes.unhandled, 'injected fault').body);
    if (fault === 'gateway-404') {
      res.writeHead(404, { 'content-type': 'text/html', server: 'nginx' });
      res.end(gateway404Page);
      return;
    }
    if (req.method === 'GET' && routePatterns.openApi.test(pathname) && this.shared.options.publishOpenApi) {
      // springdoc serves the document without authentication (it is what the Swagger UI loads).
      return sendJson(res, 200, simulatorOpenApi(`http://${this.advertisedHost}:${this.advertisedPort}`));
    }
    if (fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": ');
      return;
    }
    const scenario = parseScenario(req.headers['x-mock-scenario']);
    try {
      const clientServiceId = this.shared.authenticate(req.headers.authorization, scenario === 'token-409');
      const viaLb = req.headers[viaLoadBalancerHeader] === '1';
      if (req.method === 'POST' && routePatterns.asyncStart.test(pathname)) {
        return await this.start202(req, res, clientServiceId, scenario);
      }
      if (req.method === 'POST' && routePatterns.syncSign.test(pathname)) {
        return await this.signSync(req, res, clientServiceId, scenario);
      }
      const status = routePatterns.asyncStatus.exec(pathname);
      if (req.method === 'GET' && status) {
        this.stats.statusCalls++;
        return this.statusList(res, decodeURIComponent(status[1]), clientServiceId, viaLb);
      }
      const detail = routePatterns.asyncDetail.exec(pathname);
      if (req.method === 'GET' && detail) {
        this.stats.detailCalls++;
        return this.detail(res, decodeURIComponent(detail[1]), detail[2] === 'true', clientServiceId, viaLb);
      }
      // Spring Boot's answer for a path no controller maps (DefaultErrorAttributes): not the product's ErrorResponse.
      sendJson(res, 404, { timestamp: new Date().toISOString(), status: 404, error: 'Not Found', path: pathname });
    } catch (err) {
      if (err instanceof ProductError) {
        if (err.httpStatus === 401) this.stats.unauthorized++;
        return sendJson(res, err.httpStatus, err.body);
      }
      if (err instanceof AuthChallenge) {
        this.stats.unauthorized++;
        return sendJson(res, 401, err.body);
      }
      throw err;
    }
  }

  private async readRequest(req: IncomingMessage): Promise<WireSignRequest> {
    let raw: Buffer;
    try {
      raw = await readBody(req, this.shared.options.maxPayloadBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw productError(500, errorCodes.attributeTooLarge, 'payload too large');
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw productError(500, errorCodes.invalidParameter, 'request body is not JSON');
    }
    return validateSignRequest(body, this.shared.options.maxDocuments);
  }

  private plan(req: WireSignRequest, scenario: Scenario | undefined): OperationPlan {
    const planned = this.shared.planFor(req.externalReference);
    return { ...planned, ...(scenario ? { scenario } : {}) };
  }

  private async start202(
    req: IncomingMessage,
    res: ServerResponse,
    clientServiceId: string,
    scenario: Scenario | undefined,
  ): Promise<void> {
    this.stats.starts++;
    const request = await this.readRequest(req);
    const now = this.shared.now();
    const blocking = this.live(request.externalReference, clientServiceId).find((op) =>
      ['PENDING_EXECUTION', 'EXECUTED'].includes(statusAt(op, now)),
    );
    if (blocking) throw productError(409, errorCodes.alreadyExists, 'externalReference already exists');
    const plan = this.plan(request, scenario);
    const op = createOperation(request, clientServiceId, plan, this.shared.options, now, this.shared.nextSaasId());
    this.save(op);
    const view = asyncOperationView(op, this.advertisedHost, this.advertisedPort, now);
    sendJson(res, 202, view, {
      location: `http://${this.advertisedHost}:${this.advertisedPort}${simulatorPaths.asyncStatus(op.externalReference)}`,
      'retry-after': String(this.shared.options.retryAfterSeconds),
    });
    if (plan.scenario === 'crash-instance') this.forgetState();
  }

  private async signSync(
    req: IncomingMessage,
    res: ServerResponse,
    clientServiceId: string,
    scenario: Scenario | undefined,
  ): Promise<void> {
    this.stats.syncCalls++;
    const request = await this.readRequest(req);
    // The SaaS behind every proxy keeps the references it has seen (spec §5: reusing one gives 409 0.0.7).
    if (!this.shared.rememberSaasReference(clientServiceId, request.externalReference)) {
      throw productError(409, errorCodes.alreadyExists, 'externalReference already exists');
    }
    const now = this.shared.now();
    const op = createOperation(
      request,
      clientServiceId,
      this.plan(request, scenario),
      { baseDelayMs: 0, perDocumentDelayMs: 0 },
      now,
      this.shared.nextSaasId(),
    );
    const {
      asyncOperationId: _a,
      host: _h,
      port: _p,
      ...signOperation
    } = signResultView(op, this.advertisedHost, this.advertisedPort, true, now);
    sendJson(res, 200, signOperation);
  }

  private notFound(externalReference: string, viaLb: boolean): never {
    this.stats.notFound++;
    if (!viaLb && this.shared.ownedElsewhere(externalReference, this.index)) this.stats.wrongInstanceCalls++;
    throw productError(404, simulatorErrorCodes.unknownReference, 'no operation for this externalReference');
  }

  private statusList(res: ServerResponse, externalReference: string, clientServiceId: string, viaLb: boolean): void {
    const ops = this.live(externalReference, clientServiceId);
    if (ops.length === 0) this.notFound(externalReference, viaLb);
    const now = this.shared.now();
    const views = ops.map((op) => asyncOperationView(op, this.advertisedHost, this.advertisedPort, now));
    const headers: Record<string, string> =
      views[0].status === 'PENDING_EXECUTION' ? { 'retry-after': String(this.shared.options.retryAfterSeconds) } : {};
    sendJson(res, 200, views, headers);
  }

  private detail(
    res: ServerResponse,
    externalReference: string,
    withContent: boolean,
    clientServiceId: string,
    viaLb: boolean,
  ): void {
    const [newest] = this.live(externalReference, clientServiceId);
    if (!newest) this.notFound(externalReference, viaLb);
    const now = this.shared.now();
    if (statusAt(newest, now) === 'PENDING_EXECUTION') {
      throw productError(409, simulatorErrorCodes.notFinal, 'operation is still PENDING_EXECUTION');
    }
    sendJson(res, 200, signResultView(newest, this.advertisedHost, this.advertisedPort, withContent, now));
  }
}

/** A Spring-style 401 body (`{error, error_description}`), distinct from the product's ErrorResponse. */
export class AuthChallenge extends Error {
  constructor(readonly body: { error: string; error_description: string }) {
    super(body.error_description);
  }
}

function parseScenario(header: string | string[] | undefined): Scenario | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return scenarios.includes(value as Scenario) ? (value as Scenario) : undefined;
}

export function emptyStats(): InstanceStats {
  return {
    starts: 0,
    statusCalls: 0,
    detailCalls: 0,
    syncCalls: 0,
    wrongInstanceCalls: 0,
    notFound: 0,
    unauthorized: 0,
  };
}
