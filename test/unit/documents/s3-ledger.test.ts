import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { BlobRef } from '../../../src/contract/blob-ref';
import { openDocumentStores, referencingBlobStore } from '../../../src/documents/stores';
import { createLogger } from '../../../src/logging/logger';
import { blobStoreContract } from '../../harness/blob-store-contract';
import { startVersitygw, type S3Server } from '../../harness/versitygw';

describe('references ledger on S3 (a real S3 server)', () => {
  let s3: S3Server;
  before(async () => {
    s3 = await startVersitygw();
  });
  after(async () => {
    await s3.stop();
  });
  const fresh = async () => openDocumentStores({ blobDir: '/nonexistent' }, s3.ferjeEnv(await s3.createBucket()));

  blobStoreContract('ReferencingBlobStore over S3BlobStore', async () =>
    referencingBlobStore(await fresh(), createLogger('test', 'ERROR')),
  );

  it('records callers and flows as holders in the bucket, keeps a flow’s first record, forgets on demand', async () => {
    const stores = await fresh();
    const store = referencingBlobStore(stores, createLogger('test', 'ERROR'));
    const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'signstash/svc/ref-1', runId: 'r1' } });
    const ref: BlobRef = await env.run(() => store.put(Buffer.from('%PDF signed'), { mediaType: 'application/pdf' }));
    await stores.ledger.record(ref.sha256, { holder: { kind: 'caller', callerId: 'archive' }, recordedAtMs: 1 });
    const first = (await stores.ledger.holders(ref.sha256)).find((h) => h.holder.kind === 'workflow');
    assert.deepEqual(first?.holder, { kind: 'workflow', workflowId: 'signstash/svc/ref-1' });
    await env.run(() => store.has(ref));
    const again = (await stores.ledger.holders(ref.sha256)).find((h) => h.holder.kind === 'workflow');
    assert.equal(again?.recordedAtMs, first?.recordedAtMs, 'a later read does not move the first record');
    assert.deepEqual((await stores.ledger.holders(ref.sha256)).map((h) => h.holder.kind).sort(), [
      'caller',
      'workflow',
    ]);
    const listed: string[] = [];
    for await (const blob of stores.blobs.list()) listed.push(blob.sha256);
    assert.deepEqual(listed, [ref.sha256], 'ledger objects are never listed as blobs');
    await stores.ledger.forget(ref.sha256);
    assert.deepEqual(await stores.ledger.holders(ref.sha256), []);
  });
});
