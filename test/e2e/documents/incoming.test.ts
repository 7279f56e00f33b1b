import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createEformidlingActivities } from '../../../activities/eformidling';
import type { IncomingConsumer, InboxInput, StoredIncoming } from '../../../src/contract/eformidling';
import { eformidlingWorkflowTypes } from '../../../src/contract/eformidling';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { sweepDocuments, temporalFlowState } from '../../../src/documents/retention-sweep';
import { openDocumentStores, referencingBlobStore, type DocumentStores } from '../../../src/documents/stores';
import { recordHistory } from '../../harness/histories';
import { createTestWorker, uniqueTaskQueue } from '../../harness/worker';
import { arkivmeldingXml, control, startRig, type EformidlingTestRig } from '../../workflows/eformidling/harness';
import { startApiRig, type ApiRig } from './harness';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Incoming eFormidling messages through the documents API: the simulator delivers a message, the real inbox workflow
 * stores it and hands it to its consumer, and the calling system named as that consumer's caller reads the SBD and
 * the ASiC over HTTP with its API key; another caller gets 404. Retention releases the documents once the consumer
 * flow closed (the inbox, which never closes, holds none). Real Temporal, real simulator, real HTTP and store.
 */
describe('incoming eFormidling messages through the documents API', () => {
  let rig: EformidlingTestRig;
  let stores: DocumentStores;
  let api: ApiRig;

  before(async () => {
    rig = await startRig({ worker: false, settings: { lockTimeoutMs: 5000 } });
    stores = openDocumentStores({ blobDir: rig.ctx.config.blobDir });
    // The store production workers get: it records which flow holds each blob in the references ledger.
    rig.ctx.blobStore = referencingBlobStore(stores, rig.ctx.logger);
    rig.worker = await createTestWorker({
      env: rig.env,
      taskQueue: rig.taskQueue,
      activities: createEformidlingActivities(rig.ctx),
    });
    rig.running = rig.worker.run();
    api = await startApiRig(rig.env.client, 1024 * 1024, { stores });
  });
  after(async () => {
    await api.close();
    await rig.stop();
  });

  const as = (caller: string): Record<string, string> => ({ authorization: `Bearer ${api.keys[caller]}` });
  const documentUrl = (sha256: string): string => `${api.api.url}/v1/documents/${sha256}`;
  const holders = async (sha256: string): Promise<string[]> =>
    (await stores.ledger.holders(sha256)).map((r) =>
      r.holder.kind === 'workflow' ? r.holder.workflowId : `caller:${r.holder.callerId}`,
    );
  const files = [
    { name: 'arkivmelding.xml', text: arkivmeldingXml('svar.pdf') },
    { name: 'svar.pdf', size: 20_000 },
  ];
  const startInbox = async (consumer: IncomingConsumer): Promise<string> => {
    const inboxName = `docs-${randomUUID().slice(0, 8)}`;
    const workflowId = `eformidling-inbox/${inboxName}`;
    const input: InboxInput = { inboxName, consumer, pollInterval: '300 ms' };
    await rig.env.client.workflow.start(eformidlingWorkflowTypes.inbox, {
      workflowId,
      taskQueue: rig.taskQueue,
      args: [input],
    });
    return workflowId;
  };
  const waitUntil = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await sleep(200);
    }
  };
  const sweep = (retainAfterCloseMs: number) =>
    sweepDocuments(
      { retainAfterCloseMs, unusedUploadGraceMs: 3600_000, dryRun: false },
      { stores, flowState: temporalFlowState(rig.env.client), now: () => Date.now() },
    );

  it('the consumer’s caller reads the SBD and ASiC; another caller cannot; retention releases them after the consumer closed', async () => {
    const inbox = await startInbox({
      kind: 'child',
      workflowType: eformidlingWorkflowTypes.storeIncoming,
      callerId: 'archive',
    });
    const { messageId } = await control<{ messageId: string }>(rig, 'POST', '/incoming', { files });
    const consumerId = `eformidling-incoming/${messageId}`;
    let stored: StoredIncoming | undefined;
    await waitUntil('the consumer', async () => {
      stored = (await rig.env.client.workflow
        .getHandle(consumerId)
        .result()
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return undefined;
          throw err;
        })) as StoredIncoming | undefined;
      return stored !== undefined;
    });
    assert.ok(stored?.asic, 'the message carried an ASiC');
    const described = await rig.env.client.workflow.getHandle(consumerId).describe();
    assert.equal(described.typedSearchAttributes.get(searchAttributes.caller), 'archive');

    for (const ref of [stored.asic, stored.sbdBlob]) {
      // Held by the consumer flow only: the inbox (open forever) holds nothing, so retention can release it.
      assert.deepEqual(await holders(ref.sha256), [consumerId]);
      const got = await fetch(documentUrl(ref.sha256), { headers: as('archive') });
      assert.equal(got.status, 200);
      const body = Buffer.from(await got.arrayBuffer());
      assert.equal(sha(body), ref.sha256);
      assert.equal(got.headers.get('content-length'), String(ref.size));
      assert.equal(got.headers.get('etag'), `"${ref.sha256}"`);
      assert.equal((await fetch(documentUrl(ref.sha256), { headers: as('case-system') })).status, 404);
      assert.equal((await fetch(documentUrl(ref.sha256))).status, 401);
    }
    const asic = await fetch(documentUrl(stored.asic.sha256), { method: 'HEAD', headers: as('archive') });
    assert.equal(asic.headers.get('content-type'), 'application/vnd.etsi.asic-e+zip');
    const sbd = await fetch(documentUrl(stored.sbdBlob.sha256), { headers: as('archive') });
    const sbdJson = (await sbd.json()) as { standardBusinessDocumentHeader?: { documentIdentification?: unknown } };
    assert.ok(sbdJson.standardBusinessDocumentHeader?.documentIdentification, 'the SBD as the IP gave it');

    // The consumer closed a moment ago: kept for the configured time, released after it — the inbox still runs.
    const early = await sweep(3600_000);
    assert.ok(early.kept.recentlyClosed >= 2);
    assert.equal(await stores.blobs.has(stored.asic), true);
    await sleep(1500);
    const late = await sweep(1000);
    assert.ok(late.deleted.sha256s.includes(stored.asic.sha256), 'the ASiC went once the consumer had closed');
    assert.ok(late.deleted.sha256s.includes(stored.sbdBlob.sha256), 'the SBD too');
    assert.equal(await stores.blobs.has(stored.asic), false);
    assert.equal((await fetch(documentUrl(stored.asic.sha256), { headers: as('archive') })).status, 404);
    assert.equal((await rig.env.client.workflow.getHandle(inbox).describe()).status.name, 'RUNNING');
    // The inbox path that starts its consumer with FerjeCaller, replayed from now on.
    await recordHistory(rig.env.client, inbox, 'eformidling-inbox-consumer-caller');
    await rig.env.client.workflow.getHandle(inbox).terminate('test done');
  });

  it('a signal-with-start consumer of another caller: readable by that caller while it runs, kept until it closes', async () => {
    const caseQueue = uniqueTaskQueue('case-system');
    const inbox = await startInbox({
      kind: 'signalWithStart',
      // No worker polls the case system's queue: its flow stays open, as a long-lived case flow would.
      workflowType: 'caseIncoming',
      taskQueue: caseQueue,
      signal: 'eformidlingDelivery',
      workflowIdPrefix: 'case-incoming',
      callerId: 'case-system',
    });
    const { messageId } = await control<{ messageId: string }>(rig, 'POST', '/incoming', { files });
    const caseFlow = `case-incoming/${messageId}`;
    let held: string[] = [];
    await waitUntil('the hand-over', async () => {
      held = [];
      for await (const blob of stores.blobs.list())
        if ((await holders(blob.sha256)).includes(caseFlow)) held.push(blob.sha256);
      return held.length === 2 && !(await control<{ inbox: boolean }>(rig, 'GET', `/messages/${messageId}`)).inbox;
    });
    const described = await rig.env.client.workflow.getHandle(caseFlow).describe();
    assert.equal(described.typedSearchAttributes.get(searchAttributes.caller), 'case-system');
    for (const sha256 of held) {
      assert.deepEqual(await holders(sha256), [caseFlow]);
      assert.equal((await fetch(documentUrl(sha256), { headers: as('case-system') })).status, 200);
      assert.equal((await fetch(documentUrl(sha256), { headers: as('archive') })).status, 404);
    }

    const whileOpen = await sweep(1000);
    assert.ok(whileOpen.kept.openFlow >= 2);
    for (const sha256 of held) assert.equal(await stores.blobs.has({ sha256 }), true);

    await rig.env.client.workflow.getHandle(caseFlow).terminate('case closed');
    await sleep(1500);
    const closed = await sweep(1000);
    for (const sha256 of held) assert.ok(closed.deleted.sha256s.includes(sha256));
    await rig.env.client.workflow.getHandle(inbox).terminate('test done');
  });
});
