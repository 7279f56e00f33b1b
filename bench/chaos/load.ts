import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { BlobStore } from '../../src/blobs/blob-store';
import { startFlow } from '../../src/client/flows';
import { eformidlingSendFlow } from '../../src/contract/eformidling/flows';
import { postenFlows } from '../../src/contract/posten-signering/flows';
import { signatureOperationFlow } from '../../src/contract/signstash';
import { ss12000RegistrationUpdate } from '../../src/contract/ss12000';
import { ss12000SubscriptionFlow } from '../../src/contract/ss12000/flows';
import { DELIVERING_TEST_ORGANISATION, arkivmeldingMessage } from '../../src/modules/eformidling/example-message';
import { demoPdf } from '../../src/modules/posten-signering/demo';

/**
 * The chaos bench's mixed load: ordinary flows of every integration, started the way a caller starts them, and the
 * partner-side records the bench reads afterwards to count duplicate side effects.
 */
export interface StartedLoad {
  integration: string;
  workflowId: string;
  /** Long-lived flows (SS12000 subscription) are judged by progress, not by closing. */
  longLived?: boolean;
  /** For a long-lived flow: it has completed its part once a pass numbered above this one has finished. */
  completedAfterPass?: number;
}

export type Env = Record<string, string | undefined>;

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${url} answered ${res.status}`);
  return res.json();
}

export async function startPostenJobs(client: Client, blobs: BlobStore, env: Env, n: number): Promise<StartedLoad[]> {
  await post(`${env.POSTEN_SIGNERING_SIMULATOR_CONTROL_URL}/control/autopilot`, { mode: 'sign', delayMs: 4000 });
  const out: StartedLoad[] = [];
  for (let i = 0; i < n; i++) {
    const content = await blobs.put(demoPdf(`chaos ${i} ${randomUUID()}`), { mediaType: 'application/pdf' });
    const started = await startFlow(client, postenFlows['posten-signature-job'], {
      sender: '987654321',
      reference: `chaos-${randomUUID().slice(0, 8)}`,
      title: 'Chaos bench document',
      documents: [{ title: 'Document', fileName: 'document.pdf', content }],
      signers: [{ order: 1, notifications: { email: 'signer@example.com' } }],
    });
    out.push({ integration: 'postenSignering', workflowId: started.workflowId });
  }
  return out;
}

export async function startEformidlingMessages(client: Client, blobs: BlobStore, n: number): Promise<StartedLoad[]> {
  const out: StartedLoad[] = [];
  for (let i = 0; i < n; i++) {
    const xml = await blobs.put(
      Buffer.from(`<arkivmelding><tittel>chaos ${i} ${randomUUID()}</tittel></arkivmelding>`),
      {
        mediaType: 'application/xml',
      },
    );
    // Above the 5 MiB single-request limit every other message: the multi-step upload path is under fire too.
    const size = i % 2 === 0 ? 6 * 1024 * 1024 : 64 * 1024;
    const pdf = await blobs.put(
      (async function* () {
        const chunk = Buffer.alloc(64 * 1024, i % 251);
        for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
      })(),
      { mediaType: 'application/pdf' },
    );
    const started = await startFlow(
      client,
      eformidlingSendFlow,
      arkivmeldingMessage(
        { xml, document: pdf },
        {
          businessMessage: { hoveddokument: 'vedtak.pdf', sikkerhetsnivaa: 3 },
          tracking: { pollInitialInterval: '5 seconds', pollMaxInterval: '30 seconds' },
        },
      ),
    );
    out.push({ integration: 'eformidling', workflowId: started.workflowId });
  }
  return out;
}

export async function startSignstashOperations(
  client: Client,
  blobs: BlobStore,
  env: Env,
  n: number,
): Promise<StartedLoad[]> {
  const services = JSON.parse(readFileSync(env.SIGNSTASH_CLIENT_SERVICES_FILE as string, 'utf8')) as object;
  const clientServiceId = Object.keys(services)[0];
  const out: StartedLoad[] = [];
  for (let i = 0; i < n; i++) {
    const reference = `chaos-${randomUUID().slice(0, 8)}`;
    const docs = await Promise.all(
      [0, 1].map((d) =>
        blobs.put(Buffer.from(`%PDF-1.7\n% chaos ${reference} ${d}\n%%EOF\n`), { mediaType: 'application/pdf' }),
      ),
    );
    const started = await startFlow(client, signatureOperationFlow, {
      clientServiceId,
      externalReference: reference,
      description: 'Chaos bench batch',
      documents: docs.map((blob, d) => ({
        externalReference: `${reference}-${d}`,
        name: `doc-${d}.pdf`,
        contentType: 'application/pdf' as const,
        content: { blob },
        signatureType: 'PAdES' as const,
      })),
    });
    out.push({ integration: 'signstash', workflowId: started.workflowId });
  }
  return out;
}

export async function startSs12000Subscription(client: Client, env: Env): Promise<StartedLoad & { huvudman: string }> {
  const sim = env.SS12000_SIMULATOR_URL as string;
  const huvudman = `chaos-${randomUUID().slice(0, 6)}`;
  const created = (await post(`${sim}/control/huvudman`, {
    name: huvudman,
    organisationId: 'SE2120000001',
    size: { organisations: 5, persons: 600, groups: 40, duties: 60, activities: 40 },
    invalidShare: 0.01,
  })) as { baseUrl: string };
  // A partner fault mid-walk: two 500s on the second persons page (the three-attempt GET rides it out).
  await post(`${sim}/control/hm/${huvudman}/faults`, { rules: [{ path: '/persons', page: 2, kind: '500', times: 2 }] });
  const started = await startFlow(client, ss12000SubscriptionFlow, {
    huvudman,
    organisationId: 'SE2120000001',
    apiBaseUrl: created.baseUrl,
    options: { pageLimit: 100, webhookQuietSeconds: 2 },
  });
  await started.handle.executeUpdate(ss12000RegistrationUpdate);
  return { integration: 'ss12000', workflowId: started.workflowId, longLived: true, huvudman };
}

export async function changeSs12000Data(env: Env, huvudman: string): Promise<void> {
  await post(`${env.SS12000_SIMULATOR_URL}/control/hm/${huvudman}/changes`, {
    changes: [
      { type: 'Person', modify: 20 },
      { type: 'Group', remove: 1 },
    ],
  });
}

export async function injectEformidlingIncoming(env: Env, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await post(`${env.EFORMIDLING_BASE_URL}/_control/incoming`, {
      sender: DELIVERING_TEST_ORGANISATION,
      documentType: 'arkivmelding',
      businessMessage: { hoveddokument: 'svar.pdf' },
      files: [
        { name: 'arkivmelding.xml', text: '<arkivmelding/>' },
        { name: 'svar.pdf', text: `%PDF-1.4\n% chaos reply ${i}\n%%EOF\n` },
      ],
    });
  }
}

export async function injectPartnerFaults(env: Env): Promise<void> {
  const posten = env.POSTEN_SIGNERING_SIMULATOR_CONTROL_URL;
  await post(`${posten}/control/faults`, { route: 'poll', kind: 'status5xx', times: 3 });
  await post(`${posten}/control/faults`, { route: 'download', kind: 'status5xx', times: 2 });
  await post(`${posten}/control/faults`, { route: 'confirm', kind: 'dropAfterCommit', times: 1 });
  await post(`${env.EFORMIDLING_BASE_URL}/_control/faults`, { path: '/api/statuses', status: 503, count: 3 });
}

/** Duplicate side effects, read from the partners' own records (never from Ferje's). */
export async function duplicateSideEffects(env: Env, dataDir: string): Promise<Record<string, number>> {
  const posten = env.POSTEN_SIGNERING_SIMULATOR_CONTROL_URL;
  const jobs = (await (await fetch(`${posten}/control/jobs`)).json()) as { reference?: string }[];
  const stats = (await (await fetch(`${posten}/control/stats`)).json()) as { duplicateConfirms: number };
  const perReference = new Map<string, number>();
  for (const j of jobs) if (j.reference) perReference.set(j.reference, (perReference.get(j.reference) ?? 0) + 1);
  const eformidling = (await (await fetch(`${env.EFORMIDLING_BASE_URL}/_control/state`)).json()) as {
    stats: { creates: Record<string, number> };
  };
  const signstashRefs = new Map<string, number>();
  const simDir = path.join(dataDir, 'simulators', 'signstash');
  for (const dir of safeReaddir(simDir).filter((d) => d.startsWith('instance-'))) {
    for (const file of walk(path.join(simDir, dir)).filter((f) => f.endsWith('.json'))) {
      const op = JSON.parse(readFileSync(file, 'utf8')) as { externalReference?: string };
      if (op.externalReference)
        signstashRefs.set(op.externalReference, (signstashRefs.get(op.externalReference) ?? 0) + 1);
    }
  }
  return {
    postenJobsCreatedTwice: [...perReference.values()].filter((c) => c > 1).length,
    postenDuplicateConfirms: stats.duplicateConfirms,
    eformidlingMessagesCreatedTwice: Object.values(eformidling.stats.creates).filter((c) => c > 1).length,
    signstashOperationsStartedTwice: [...signstashRefs.values()].filter((c) => c > 1).length,
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function walk(dir: string): string[] {
  return safeReaddir(dir).flatMap((name) => {
    const full = path.join(dir, name);
    try {
      return readdirSync(full).length >= 0 ? walk(full) : [];
    } catch {
      return [full];
    }
  });
}
