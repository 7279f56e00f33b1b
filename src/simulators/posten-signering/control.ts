import { createServer, type Server } from 'node:http';
import { closeServer, listen, readBody, sendJson } from '../../http/server-utils';
import type { FaultPlan } from './faults';
import { SimulatorError, type PostenModel } from './model';
import { switchableRules, type AutopilotSettings, type FaultRule, type PostenSimulatorRules } from './options';

/**
 * Control endpoints for tests, the demo and people trying things by hand (plain HTTP, loopback only):
 *   GET  /control/jobs                                 jobs with signer statuses and deliveries (no personal data)
 *   POST /control/jobs/:id/signers/:n/sign|reject      a signer acts
 *   POST /control/jobs/:id/signers/:n/status           {"status": "BLOCKED"} (any value, also unknown ones)
 *   POST /control/jobs/:id/expire                      the deadline passes
 *   POST /control/jobs/:id/redeliver                   the last change comes back although it was confirmed
 *   POST /control/faults                               {"route": "download", "kind": "status404", "times": 2}
 *   POST /control/autopilot                            {"mode": "sign", "delayMs": 500}
 *   POST /control/rules                                {"confirmScope": "all-fetched", "omitReference": true, …}
 *                                                      (the switchable rules of options.ts; answers all rules)
 *   GET  /control/stats                                request, 429, redelivery and confirmation counters
 */
export async function startControlServer(options: {
  model: PostenModel;
  faults: FaultPlan;
  host: string;
  port: number;
}): Promise<{ url: string; close(): Promise<void> }> {
  const { model, faults } = options;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://control').pathname;
      try {
        const body = req.method === 'POST' ? await readBody(req, 64 * 1024) : Buffer.alloc(0);
        const json = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        let m: RegExpExecArray | null;
        if (req.method === 'GET' && path === '/control/jobs') {
          return sendJson(
            res,
            200,
            [...model.jobs.values()].map((j) => ({
              id: j.id,
              sender: j.sender,
              reference: j.reference,
              queue: j.queue,
              status: j.status,
              finalized: j.finalized,
              signers: j.signers.map((s) => ({ number: s.number, order: s.order, status: s.status })),
              deliveries: model.deliveriesOf(j.id),
            })),
          );
        }
        if (req.method === 'GET' && path === '/control/stats') return sendJson(res, 200, model.stats);
        if (
          req.method === 'POST' &&
          (m = /^\/control\/jobs\/(\d+)\/signers\/(\d+)\/(sign|reject|status)$/.exec(path))
        ) {
          if (m[3] === 'sign') model.sign(m[1], Number(m[2]));
          else if (m[3] === 'reject') model.reject(m[1], Number(m[2]));
          else model.setSignerStatus(m[1], Number(m[2]), String(json.status));
          return sendJson(res, 200, { ok: true });
        }
        if (req.method === 'POST' && (m = /^\/control\/jobs\/(\d+)\/expire$/.exec(path))) {
          model.expire(m[1]);
          return sendJson(res, 200, { ok: true });
        }
        if (req.method === 'POST' && (m = /^\/control\/jobs\/(\d+)\/redeliver$/.exec(path))) {
          model.redeliverLastChange(m[1]);
          return sendJson(res, 200, { ok: true });
        }
        if (req.method === 'POST' && path === '/control/faults') {
          faults.add(json as unknown as FaultRule);
          return sendJson(res, 200, { pending: faults.pending() });
        }
        if (req.method === 'POST' && path === '/control/autopilot') {
          model.autopilot = { ...model.autopilot, ...(json as Partial<AutopilotSettings>) };
          return sendJson(res, 200, model.autopilot);
        }
        if (req.method === 'POST' && path === '/control/rules') {
          const unknown = Object.keys(json).filter((k) => !(switchableRules as readonly string[]).includes(k));
          if (unknown.length > 0) return sendJson(res, 400, { error: `not a switchable rule: ${unknown.join(', ')}` });
          model.rules = { ...model.rules, ...(json as Partial<PostenSimulatorRules>) };
          return sendJson(res, 200, model.rules);
        }
        return sendJson(res, 404, { error: 'no such control endpoint' });
      } catch (err) {
        if (err instanceof SimulatorError)
          return sendJson(res, err.httpStatus, { error: err.code, message: err.message });
        return sendJson(res, 400, { error: (err as Error).message });
      }
    })();
  });
  const port = await listen(server, options.host, options.port);
  return { url: `http://${options.host}:${port}`, close: () => closeServer(server, 200) };
}
