import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import type { BlobStore } from '../../src/blobs/blob-store';
import { createBlobStore } from '../../src/blobs/from-config';
import { startFlow } from '../../src/client/flows';
import type { RunningCluster } from '../../src/cluster/topology';
import { ferjeDataConverter } from '../../src/codec/data-converter';
import { loadFerjeConfig } from '../../src/config/ferje-config';
import { ss12000StatusQuery } from '../../src/contract/ss12000';
import { ss12000SubscriptionWorkflowId } from '../../src/contract/ss12000/flows';
import type { Ss12000SubscriptionStatus } from '../../src/contract/ss12000/types';
import { taskQueues } from '../../src/contract/task-queues';
import { startIngress, type RunningIngress } from '../../src/ingress/server';
import { ss12000Module } from '../../src/modules/ss12000/module';
import { PostgresStore } from '../../src/integrations/ss12000/store/postgres-store';
import { eformidlingSendFlow } from '../../src/contract/eformidling/flows';
import { postenFlows } from '../../src/contract/posten-signering/flows';
import type { PostenSignatureJobResult } from '../../src/contract/posten-signering';
import { signatureOperationFlow, signatureOperationStateQuery } from '../../src/contract/signstash';
import { demoPdf } from '../../src/modules/posten-signering/demo';
import { createLogger } from '../../src/logging/logger';
import { startEformidlingSimulator, type RunningEformidlingSimulator } from '../../src/simulators/eformidling/server';
import { startPostenSimulator, type RunningPostenSimulator } from '../../src/simulators/posten-signering';
import { SignstashSimulator } from '../../src/simulators/signstash';
import { Ss12000Simulator } from '../../src/simulators/ss12000/server';
import { arkivmeldingMessage } from '../../src/modules/eformidling/example-message';
import { arkivmeldingXml } from '../workflows/eformidling/harness';
import {
  activityInFlight,
  activityStarts,
  startTestCluster,
  WorkerMachine,
  workflowBundleFile,
} from '../harness/cluster';
import { testKeyEnv, testKeyRing } from '../harness/keys';
import { freePort } from '../harness/ports';
import { StallableTcpProxy } from '../harness/tcp-proxy';
import { startVersitygw, type S3Server } from '../harness/versitygw';

const POSTEN_SENDER = '987654321';

/**
 * Ferje beyond one machine, for real: the Temporal server built from source on Postgres (`ferje cluster up`), two
 * `ferje worker` processes with separate data directories (two machines) sharing only the blob store and Postgres,
 * simulators in this process. For each integration one worker is SIGKILLed while it runs an activity of the flow;
 * the flow completes on the other machine, and the simulators' records show no duplicate side effect.
 */
describe('two worker machines on the self-hosted cluster', () => {
  let cluster: RunningCluster;
  let client: Client;
  let connection: Connection;
  let blobStore: BlobStore;
  let posten: RunningPostenSimulator;
  let eformidling: RunningEformidlingSimulator;
  let signstash: SignstashSimulator;
  let s3: S3Server;
  let ss12000: Ss12000Simulator;
  let ss12000Store: PostgresStore;
  let ingress: RunningIngress;
  const proxies: StallableTcpProxy[] = [];
  const machines: WorkerMachine[] = [];

  before(async () => {
    cluster = await startTestCluster();
    connection = await Connection.connect({ address: cluster.address });
    client = new Client({ connection, namespace: cluster.namespace, dataConverter: ferjeDataConverter(testKeyRing()) });
    const root = mkdtempSync(path.join(tmpdir(), 'ferje-two-machines-'));
    // What the machines share besides Temporal: one S3 bucket (a real S3 server) ...
    s3 = await startVersitygw();
    const blobEnv = s3.ferjeEnv(await s3.createBucket());
    blobStore = createBlobStore(blobEnv, { blobDir: path.join(root, 'unused') });

    posten = await startPostenSimulator({
      dataDir: path.join(root, 'sim-posten'),
      senders: [POSTEN_SENDER],
      logger: createLogger('posten-simulator', 'ERROR'),
      rules: { emptyQueuePollDelayMs: 1000 },
    });
    eformidling = await startEformidlingSimulator({
      dataDir: path.join(root, 'sim-eformidling'),
      settings: { stepDelayMs: 100, expiryCheckMs: 200 },
    });
    // Each Sign'Stash instance is reached through a proxy that can stall the network, to hold a status call in flight.
    const instancePorts = [await freePort(), await freePort()];
    for (const port of instancePorts) proxies.push(await StallableTcpProxy.start({ targetPort: port }));
    signstash = await SignstashSimulator.start({
      dataDir: path.join(root, 'sim-signstash'),
      instances: instancePorts.map((listenPort, i) => ({ listenPort, advertisedPort: proxies[i].port })),
      baseDelayMs: 4000,
      retryAfterSeconds: 1,
    });

    // ... and one Postgres: the cluster's own server, with a database for the SS12000 data.
    const admin = new PgClient({ connectionString: cluster.postgresServer.url('postgres') });
    await admin.connect();
    await admin.query('create database ferje_ss12000');
    await admin.end();
    const ss12000StoreUrl = cluster.postgresServer.url('ferje_ss12000');
    ss12000 = await new Ss12000Simulator({ notifierRetryDelayMs: 100 }).start();
    const ss12000Env: Record<string, string> = {
      FERJE_SS12000_STORE: ss12000StoreUrl,
      SS12000_TOKEN_URL: `${ss12000.url}/transaction`,
      // Partner endpoints come from configuration only: the simulator's huvudman APIs.
      SS12000_API_ALLOWED_URLS: `${ss12000.url}/hm/`,
      SS12000_WEBHOOK_JWKS_URL: `${ss12000.url}/.well-known/jwks.json`,
      SS12000_WEBHOOK_ISSUER: ss12000.issuer.issuerUrl,
      SS12000_WEBHOOK_AUDIENCE: ss12000.issuer.audience,
      SS12000_WEBHOOK_LOCATION: ss12000.clientLocation,
      // Machines and the ingress must derive the same webhook target keys: one secret, not one per data directory.
      SS12000_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
      SS12000_HTTP_TIMEOUT_MS: '5000',
    };
    // The ingress (webhooks) runs here; the workers are the machines.
    const ingressEnv = { ...ss12000Env, FERJE_DATA_DIR: path.join(root, 'ingress') };
    ingress = await startIngress({
      client,
      routes: ss12000Module.ingressRoutes!({
        config: loadFerjeConfig(ingressEnv),
        env: ingressEnv,
        client,
        namespace: cluster.namespace,
        blobStore,
        logger: createLogger('ingress', 'ERROR'),
      }),
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024 * 1024,
      logger: createLogger('ingress', 'ERROR'),
    });
    ss12000Store = await PostgresStore.open(ss12000StoreUrl, { readOnly: true });

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...testKeyEnv(),
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      FERJE_WORKFLOW_BUNDLE: await workflowBundleFile(),
      ...blobEnv,
      FERJE_WORKER_INTEGRATIONS: 'postenSignering,eformidling,signstash,ss12000',
      FERJE_INGRESS_PUBLIC_URL: ingress.url,
      ...ss12000Env,
      ...posten.env,
      POSTEN_SIGNERING_POLLERS: POSTEN_SENDER,
      EFORMIDLING_BASE_URL: eformidling.url,
      EFORMIDLING_INBOX_ENABLED: 'false',
      ...signstash.env(),
      // The instances as the workers' network reaches them: through the stallable proxies they advertise.
      SIGNSTASH_INSTANCE_ALLOWLIST: proxies.map((p) => `127.0.0.1:${p.port}`).join(','),
      SIGNSTASH_FIRST_POLL_DELAY_MS: '300',
      SIGNSTASH_MAX_POLL_DELAY_SECONDS: '1',
      SIGNSTASH_CONNECT_TIMEOUT_SECONDS: '2',
      SIGNSTASH_REQUEST_TIMEOUT_SECONDS: '25',
    };
    for (const name of ['machine-a', 'machine-b']) machines.push(new WorkerMachine(name, root, env));
    await Promise.all(machines.map((m) => m.start()));
  });

  after(async () => {
    for (const m of machines) await m.stop();
    await connection?.close();
    await posten?.stop();
    await eformidling?.stop();
    await signstash?.stop();
    for (const p of proxies) await p.close();
    await ingress?.close();
    await ss12000?.stop();
    await ss12000Store?.close();
    await s3?.stop();
    await cluster?.stop();
  });

  /** SIGKILLs the machine that runs this activity; the other one must finish the flow alone. */
  async function killHolder(
    workflowId: string,
    activityType: string,
  ): Promise<{ killed: WorkerMachine; survivor: WorkerMachine }> {
    const inFlight = await activityInFlight(client, workflowId, activityType);
    assert.equal(inFlight.attempt, 1, `${activityType} is on its first attempt`);
    const killed = machines.find((m) => m.owns(inFlight.identity));
    assert.ok(killed, `a machine of this test runs ${activityType} (${inFlight.identity})`);
    await killed.kill();
    const survivor = machines.find((m) => m !== killed)!;
    return { killed, survivor };
  }

  /** The retry ran on the survivor: the history's one started event of the activity is its attempt 2 or later. */
  async function assertFinishedOn(workflowId: string, activityType: string, survivor: WorkerMachine): Promise<void> {
    const starts = await activityStarts(client, workflowId, activityType);
    const retried = starts.filter((s) => s.attempt >= 2);
    assert.ok(retried.length >= 1, `${activityType} was retried after the kill`);
    assert.ok(
      retried.every((s) => survivor.owns(s.identity)),
      `the retry ran on ${survivor.name}: ${JSON.stringify(retried)}`,
    );
  }

  async function restart(machine: WorkerMachine): Promise<void> {
    await machine.start();
  }

  it('eFormidling: a message with a 24 MiB file, the uploading machine killed mid-upload, is sent once', async () => {
    const control = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${eformidling.url}/_control${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as T;
    };
    // Slow enough that the upload of the large file is surely in flight when the machine is killed, and the file
    // large enough that its unsent rest cannot all sit in loopback socket buffers (several MiB each way): a 6 MiB file
    // was once wholly buffered at the IP's side before the kill, so the IP read it to the end and saw no abort.
    await control('PUT', '/settings', { uploadThrottleBytesPerSecond: 1024 * 1024 });
    const size = 24 * 1024 * 1024 + 17;
    const xml = await blobStore.put(Buffer.from(arkivmeldingXml('vedtak.pdf')), { mediaType: 'application/xml' });
    const pdf = await blobStore.put(randomBytes(size), { mediaType: 'application/pdf' });
    const messageId = randomUUID();
    const started = await startFlow(
      client,
      eformidlingSendFlow,
      arkivmeldingMessage(
        { xml, document: pdf },
        { messageId, tracking: { pollInitialInterval: '300 ms', pollMaxInterval: '1 second' } },
      ),
    );
    const uploadActivity = 'eformidlingUploadFile';
    const deadline = Date.now() + 60_000;
    // The small XML goes up first and is done in moments; an upload still in progress a second later is the 24 MiB
    // file (throttled to 1 MiB/s), so the machine killed is the one streaming it.
    let inProgressSince: number | undefined;
    for (;;) {
      const busy = (await control<{ uploadsInProgress: number }>('GET', '/state')).uploadsInProgress > 0;
      inProgressSince = busy ? (inProgressSince ?? Date.now()) : undefined;
      if (inProgressSince !== undefined && Date.now() - inProgressSince >= 1000) break;
      assert.ok(Date.now() < deadline, 'the large upload never got under way');
      await new Promise((r) => setTimeout(r, 50));
    }
    const { killed, survivor } = await killHolder(started.workflowId, uploadActivity);
    await control('PUT', '/settings', { uploadThrottleBytesPerSecond: 0 });

    const result = await started.result();
    await restart(killed);
    assert.equal(result.finalStatus, 'LEVERT');
    await assertFinishedOn(started.workflowId, uploadActivity, survivor);
    const view = await control<{
      creates: number;
      conversations: unknown[];
      outbox: { files: { fileName: string; size: number }[] } | null;
    }>('GET', `/messages/${messageId}`);
    assert.equal(view.creates, 1, 'the message was created once');
    assert.equal(view.conversations.length, 1, 'one conversation: sent once');
    const state = await control<{ stats: { sends: number; uploadsAborted: number } }>('GET', '/state');
    assert.ok(state.stats.uploadsAborted >= 1, 'the killed upload was cut off at the IP');
  });

  it('Posten signering: the machine confirming a status change is killed; the job completes once, nothing twice', async () => {
    const reference = `cluster-${Date.now()}`;
    const document = await blobStore.put(demoPdf('Ferje cluster test'), {
      mediaType: 'application/pdf',
      fileName: 'c.pdf',
    });
    const started = await startFlow(client, postenFlows['posten-signature-job'], {
      sender: POSTEN_SENDER,
      reference,
      title: 'Employment contract',
      documents: [{ title: 'Contract', fileName: 'contract.pdf', content: document }],
      signers: [{ personalIdentificationNumber: '01010112345', order: 1, notifications: { email: 'a@example.com' } }],
    });
    const jobs = (): { id: string; reference?: string }[] => [...posten.model.jobs.values()];
    const deadline = Date.now() + 90_000;
    while (!jobs().some((j) => j.reference === reference)) {
      assert.ok(Date.now() < deadline, 'the job was never created');
      await new Promise((r) => setTimeout(r, 100));
    }
    const jobId = jobs().find((j) => j.reference === reference)!.id;
    // The first confirmation is held at Posten, then dropped unprocessed: its machine dies while it waits.
    posten.faults.add({ route: 'confirm', kind: 'latency', latencyMs: 8000, times: 1 });
    posten.faults.add({ route: 'confirm', kind: 'drop', times: 1 });
    posten.model.sign(jobId, 1);
    const { killed, survivor } = await killHolder(started.workflowId, 'postenConfirm');

    const result: PostenSignatureJobResult = await started.result();
    await restart(killed);
    assert.equal(result.status, 'COMPLETED_SUCCESSFULLY');
    assert.ok(result.pades, 'the PAdES was stored');
    await assertFinishedOn(started.workflowId, 'postenConfirm', survivor);
    assert.equal(jobs().filter((j) => j.reference === reference).length, 1, 'one job at Posten');
    assert.equal(posten.model.stats.creates, 1, 'created once');
    assert.equal(posten.model.stats.duplicateConfirms, 0, 'no change confirmed twice');
    assert.equal(posten.model.unconfirmedDeliveries(), 0, 'every change confirmed');
  });

  it("Sign'Stash: the machine checking the operation's status is killed mid-call; one operation, started once", async () => {
    const clientServiceId = Object.keys(signstash.clientServices())[0];
    const externalReference = `cluster-${Date.now()}`;
    const docs = await Promise.all(
      [1, 2].map((i) =>
        blobStore.put(Buffer.from(`%PDF-1.7\n${externalReference} ${i}\n%%EOF\n`), {
          mediaType: 'application/pdf',
          fileName: `doc-${i}.pdf`,
        }),
      ),
    );
    const started = await startFlow(client, signatureOperationFlow, {
      clientServiceId,
      externalReference,
      description: 'Cluster test batch',
      documents: docs.map((blob, i) => ({
        externalReference: `${externalReference}-${i + 1}`,
        name: `doc-${i + 1}.pdf`,
        contentType: 'application/pdf' as const,
        content: { blob },
        signatureType: 'PAdES' as const,
      })),
    });
    const handle = client.workflow.getHandle(started.workflowId);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await handle.query(signatureOperationStateQuery);
      if (s.phase === 'polling' && s.statusChecks >= 1) break;
      assert.ok(Date.now() < deadline, `the operation never reached polling: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The network to the instances stalls: the next status call hangs in its activity. A check already answered
    // before the stall completes within moments; waiting those out makes sure the attempt killed is one that hangs.
    for (const p of proxies) p.stall();
    await new Promise((r) => setTimeout(r, 1500));
    const { killed, survivor } = await killHolder(started.workflowId, 'signstashCheckStatus');
    for (const p of proxies) p.resume();

    const result = await started.result();
    await restart(killed);
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.signedCount, 2);
    await assertFinishedOn(started.workflowId, 'signstashCheckStatus', survivor);
    const stats = signstash.stats();
    assert.equal(stats.starts, 1, 'one operation, started once');
    assert.equal(stats.wrongInstanceCalls, 0, 'every follow-up went to the owning instance');
  });
  it('SS12000: a full sync whose page-writing machine is killed, then a webhook pass, lands once in Postgres', async () => {
    const huvudman = 'cluster-hm';
    // 60 ms per answer: the pass is surely in the middle of PERSON when a machine is killed.
    const tenant = ss12000.addTenant({
      name: huvudman,
      organisationId: 'SE2120000001',
      seed: 7,
      size: { persons: 3000 },
      latencyMs: 60,
    });
    const workflowId = ss12000SubscriptionWorkflowId(huvudman);
    await client.workflow.start('ss12000SubscriptionWorkflow', {
      workflowId,
      taskQueue: taskQueues.ss12000,
      args: [
        {
          huvudman,
          organisationId: tenant.organisationId,
          apiBaseUrl: ss12000.baseUrl(huvudman),
          options: { pageLimit: 100, webhookQuietSeconds: 0 },
        },
      ],
    });
    const status = (): Promise<Ss12000SubscriptionStatus> =>
      client.workflow.getHandle(workflowId).query(ss12000StatusQuery);
    const idleAfter = async (passes: number, timeoutMs = 180_000): Promise<Ss12000SubscriptionStatus> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const s = await status();
        if (s.passNumber >= passes && s.currentPass === undefined && s.pending.steps.length === 0) return s;
        assert.ok(Date.now() < until, `pass ${passes} never finished: ${JSON.stringify(s.phase)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const personPage = (): number =>
      Math.max(0, ...tenant.requests.filter((r) => r.path === '/persons').map((r) => r.page ?? 0));
    const until = Date.now() + 90_000;
    while (personPage() < 8) {
      assert.ok(Date.now() < until, 'the pass never reached the middle of PERSON');
      await new Promise((r) => setTimeout(r, 50));
    }
    // A page activity is short once its page was read ahead, so one could complete between finding it in flight and
    // the kill. Hold the next page's statistics POST (after its upsert) so the machine surely holds a page when killed.
    const held = { path: '/statistics', kind: 'timeout' as const, delayMs: 5_000, times: 1, fired: 0 };
    tenant.faults = [held];
    while (held.fired === 0) {
      assert.ok(Date.now() < until, 'no page reached its statistics');
      await new Promise((r) => setTimeout(r, 20));
    }
    const pass = `${workflowId}/pass-1`;
    const { killed, survivor } = await killHolder(pass, 'ss12000SyncPage');

    const full = await idleAfter(1);
    await restart(killed);
    assert.equal(full.lastPass?.outcome, 'SUCCEEDED');
    assert.equal(full.types.Person?.lastOutcome?.fetched, 3000);
    await assertFinishedOn(pass, 'ss12000SyncPage', survivor);
    const perPage = new Map<number, number>();
    for (const r of tenant.requests.filter((x) => x.path === '/persons'))
      perPage.set(r.page!, (perPage.get(r.page!) ?? 0) + 1);
    assert.equal(perPage.get(1), 1, 'the first page was never fetched again');
    assert.ok(
      [...perPage.values()].every((n) => n <= 2),
      'at most the page in flight and the one read ahead for it were fetched twice',
    );

    // A webhook through the ingress: an incremental pass brings the five changed persons, nothing else.
    tenant.modify('Person', 5);
    const deliveries = await ss12000.notify(huvudman, { modifiedTypes: ['Person'], deleted: false });
    assert.deepEqual(deliveries[0].attempts, [200]);
    const after = await idleAfter(2);
    assert.equal(after.webhooksReceived, 1);
    assert.equal(after.lastPass?.kind, 'webhook');
    assert.equal(after.types.Person?.lastOutcome?.fetched, 5);

    // Postgres holds each person exactly once: upserts by id, whichever machine wrote which page, twice or not.
    const rows = await ss12000Store.summary(huvudman);
    const persons = rows.find((r) => r.step === 'Person');
    assert.ok(persons, 'PERSON is in the shared store');
    assert.equal(persons.stored + persons.softDeleted, tenant.count('Person'));
    assert.equal(persons.stored, full.types.Person?.lastOutcome?.stored);
    await client.workflow.getHandle(workflowId).cancel();
  });
});
