import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { BlobRef } from '../../../src/contract/blob-ref';
import { openDocumentStores, referencingBlobStore } from '../../../src/documents/stores';
import { createLogger } from '../../../src/logging/logger';
import { blobStoreContract } from '../../harness/blob-store-contract';

const fresh = () => openDocumentStores({ blobDir: mkdtempSync(path.join(tmpdir(), 'ferje-refstore-')) });

describe('ReferencingBlobStore', () => {
  blobStoreContract('ReferencingBlobStore over FsBlobStore', () =>
    referencingBlobStore(fresh(), createLogger('test', 'ERROR')),
  );

  it('records the running activity’s workflow as a holder on put and read, and nothing outside activities', async () => {
    const stores = fresh();
    const store = referencingBlobStore(stores, createLogger('test', 'ERROR'));
    const outside = await store.put(Buffer.from('uploaded by a process, not a flow'));
    assert.deepEqual(await stores.ledger.holders(outside.sha256), []);

    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId: 'posten-job/987654321/ref-1', runId: 'r1' },
    });
    const signed: BlobRef = await env.run(() =>
      store.put(Buffer.from('%PDF signed'), { mediaType: 'application/pdf', fileName: 'signed.pdf' }),
    );
    await env.run(async () => {
      (await store.get(outside)).resume();
    });
    const signedHolders = await stores.ledger.holders(signed.sha256);
    assert.equal(signedHolders.length, 1);
    assert.deepEqual(signedHolders[0].holder, { kind: 'workflow', workflowId: 'posten-job/987654321/ref-1' });
    assert.equal(signedHolders[0].mediaType, 'application/pdf');
    assert.deepEqual(
      (await stores.ledger.holders(outside.sha256)).map((r) => r.holder),
      [{ kind: 'workflow', workflowId: 'posten-job/987654321/ref-1' }],
    );

    // The first record of a workflow stays: retention counts from the flow, not from its latest read.
    const first = signedHolders[0].recordedAtMs;
    await env.run(() => store.has(signed));
    assert.equal((await stores.ledger.holders(signed.sha256))[0].recordedAtMs, first);
  });
});
