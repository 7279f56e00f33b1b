import { request } from 'undici';
import { startFlow } from '../../client/flows';
import { envString } from '../../config/env';
import {
  ss12000RegistrationUpdate,
  ss12000StatusQuery,
  ss12000SubscriptionFlow,
  type Ss12000SubscriptionStatus,
} from '../../contract/ss12000';
import type { DemoContext, DemoResult } from '../../platform/integration';

async function control(base: string, path: string, body?: unknown): Promise<unknown> {
  const res = await request(`${base}/control${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`simulator control ${path} answered HTTP ${res.statusCode}`);
  return JSON.parse(text) as unknown;
}

async function waitFor(
  read: () => Promise<Ss12000SubscriptionStatus>,
  done: (s: Ss12000SubscriptionStatus) => boolean,
  timeoutMs: number,
): Promise<Ss12000SubscriptionStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await read();
    if (done(status)) return status;
    if (Date.now() > until) throw new Error(`timed out in phase ${status.phase}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Registers a huvudman on the simulator, syncs it fully, then changes persons and lets the webhook bring them in. */
export async function runSs12000Demo(ctx: DemoContext): Promise<DemoResult> {
  const sim = envString(ctx.env, 'SS12000_SIMULATOR_URL');
  const huvudman = `demo-${Date.now().toString(36)}`;
  const created = (await control(sim, '/huvudman', {
    name: huvudman,
    organisationId: 'SE2120000001',
    size: { organisations: 10, persons: 2000, groups: 100, duties: 200, activities: 100 },
    invalidShare: 0.01,
  })) as { baseUrl: string };
  const lines = [`Huvudman ${huvudman} on the simulator: ${created.baseUrl}`];
  const started = await startFlow(ctx.client, ss12000SubscriptionFlow, {
    huvudman,
    organisationId: 'SE2120000001',
    apiBaseUrl: created.baseUrl,
    options: { pageLimit: 500, webhookQuietSeconds: 2 },
  });
  const registration = await started.handle.executeUpdate(ss12000RegistrationUpdate);
  lines.push(`Registration: ${registration.status} (subscription ${registration.subscriptionId ?? '-'})`);
  const read = () => started.handle.query(ss12000StatusQuery);
  let status = await waitFor(read, (s) => s.lastPass !== undefined && s.currentPass === undefined, 120_000);
  const stored = (s: Ss12000SubscriptionStatus) =>
    Object.entries(s.types)
      .map(([t, v]) => `${t} ${v?.lastOutcome?.stored ?? 0}/${v?.lastOutcome?.fetched ?? 0}`)
      .join(', ');
  lines.push(
    `Full sync (pass ${status.lastPass?.passNumber}): ${status.lastPass?.outcome}; stored/fetched: ${stored(status)}`,
  );
  await control(sim, `/hm/${huvudman}/changes`, {
    changes: [
      { type: 'Person', modify: 25 },
      { type: 'Group', remove: 2 },
    ],
  });
  const before = status.passNumber;
  status = await waitFor(
    read,
    (s) => s.passNumber > before && s.currentPass === undefined && s.pending.steps.length === 0,
    120_000,
  );
  lines.push(
    `Webhook pass ${status.lastPass?.passNumber} (${status.lastPass?.kind}): ${status.lastPass?.outcome}; ` +
      `Person fetched ${status.types.Person?.lastOutcome?.fetched ?? 0}, deletions applied ${status.types.Deleted?.lastOutcome?.deleted ?? 0}`,
  );
  lines.push('Store view: npm run ferje -- ss12000-status');
  return { lines, workflowIds: [started.workflowId] };
}
