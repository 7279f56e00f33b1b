import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { closeServer, listen } from '../../http/server-utils';
import { createLogger, type Logger } from '../../logging/logger';
import { apiRoutes, ensureFilesDir, type Route } from './api';
import { controlRoutes, type FaultRule } from './control';
import { sendSpringError, SimError } from './http-util';
import { PersistedState } from '../persistence';
import { SimState, type EformidlingSimSnapshot, type SimSettings } from './state';

export interface EformidlingSimulatorOptions {
  host?: string;
  port?: number;
  dataDir: string;
  /** Keep the IP's database in `dataDir/state.json` across restarts, as the IP does (default true). */
  persistState?: boolean;
  ownOrganisation?: string;
  settings?: Partial<SimSettings>;
  /** Require HTTP Basic with these credentials (the IP's `difi.security.enable`). */
  basicAuth?: { username: string; password: string };
  logger?: Logger;
}

export interface RunningEformidlingSimulator {
  url: string;
  port: number;
  state: SimState;
  faults: FaultRule[];
  /** User-Agent headers seen (tests check Ferje identifies itself). */
  userAgents: Set<string>;
  stop(): Promise<void>;
}

/**
 * A local integrasjonspunkt (eFormidling 2 REST API) with the real rules — see docs/eformidling.md for what it
 * enforces — plus `/_control/*` endpoints for tests and the demo (inject incoming messages, push statuses, change
 * outcomes and timings, inject faults).
 */
export async function startEformidlingSimulator(
  options: EformidlingSimulatorOptions,
): Promise<RunningEformidlingSimulator> {
  const logger = options.logger ?? createLogger('simulator.eformidling', 'WARN');
  const settings = { ...SimState.defaultSettings(), ...options.settings };
  const state = new SimState(settings, options.ownOrganisation ?? '910000001', logger);
  // One files folder for the IP's lifetime: stored uploads and incoming ASiCs outlive a restart, as the IP's do.
  const filesDir = path.join(options.dataDir, 'files');
  await ensureFilesDir(filesDir);
  const stateFile = path.join(options.dataDir, 'state.json');
  const saved = options.persistState === false ? undefined : PersistedState.load<EformidlingSimSnapshot>(stateFile);
  if (saved) state.importState(saved);
  const persisted =
    options.persistState === false ? undefined : new PersistedState(stateFile, () => state.exportState());
  const faults: FaultRule[] = [];
  const routes: Route[] = [...controlRoutes(faults), ...apiRoutes];
  const userAgents = new Set<string>();
  const expectedAuth = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : undefined;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const pathname = url.pathname;
    void (async () => {
      try {
        const isControl = pathname.startsWith('/_control/');
        if (!isControl) {
          state.stats.apiRequests++;
          if (req.headers['user-agent']) userAgents.add(req.headers['user-agent']);
          if (expectedAuth && req.headers.authorization !== expectedAuth) {
            req.resume();
            res.writeHead(401, { 'www-authenticate': 'Basic realm="integrasjonspunkt"', 'content-length': 0 });
            res.end();
            return;
          }
          const fault = faults.find(
            (f) => (f.count ?? 0) > 0 && (!f.method || f.method === req.method) && new RegExp(f.path).test(pathname),
          );
          if (fault) {
            fault.count = (fault.count ?? 1) - 1;
            if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
            if (fault.drop) {
              req.socket.destroy();
              return;
            }
            if (fault.dropResponse) {
              const drop = (): never => {
                req.socket.destroy();
                return res as never;
              };
              res.writeHead = drop;
              res.end = drop;
            }
            if (fault.malformed) {
              req.resume();
              res.writeHead(200, { 'content-type': 'application/json' });
              res.end('{"content": [ this is not json');
              return;
            }
            if (fault.status) {
              req.resume();
              throw new SimError(
                fault.status,
                fault.status === 503 ? 'ServiceUnavailableException' : 'RuntimeException',
                'Injected fault',
              );
            }
          }
        }
        for (const [method, pattern, handler] of routes) {
          if (method !== req.method) continue;
          const m = pattern.exec(pathname);
          if (!m) continue;
          await handler({
            req,
            res,
            params: m.slice(1).map(decodeURIComponent),
            query: url.searchParams,
            state,
            filesDir,
          });
          return;
        }
        req.resume();
        throw new SimError(404, 'NoHandlerFoundException', `No handler for ${req.method} ${pathname}`);
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof SimError) {
          sendSpringError(res, err, pathname);
        } else if ((err as { code?: string }).code === 'ECONNRESET' || req.destroyed) {
          res.destroy();
        } else {
          logger.warn('simulator handler failed', { error: (err as Error).message });
          sendSpringError(res, new SimError(500, 'NextMoveRuntimeException', 'Internal error'), pathname);
        }
      }
    })();
  });
  server.requestTimeout = 0;
  const port = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    port,
    state,
    faults,
    userAgents,
    async stop() {
      await closeServer(server, 500);
      persisted?.close();
      await state.stop();
    },
  };
}
