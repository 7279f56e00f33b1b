import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/logging/logger';
import { startPostenSimulator } from '../../../src/simulators/posten-signering';

describe('Posten simulator keeps its state across restarts, as Posten does', () => {
  it('jobs, signer states, pending deliveries, counters and the job-id sequence survive a stop and start', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-posten-persist-'));
    const options = { dataDir, logger: createLogger('test', 'ERROR'), senders: ['123456789'], mutualTls: false };
    const first = await startPostenSimulator(options);
    const job = first.model.createJob({
      sender: '123456789',
      reference: 'persist-1',
      signers: [{ order: 1 }, { order: 2 }],
      documents: new Map([['d.pdf', new Uint8Array([37, 80, 68, 70])]]),
    });
    first.model.tick(); // activates the first order group
    first.model.sign(job.id, 1);
    const { delivery } = first.model.poll('123456789', '');
    assert.ok(delivery, 'the signed change is delivered before the restart');
    await first.stop();

    const second = await startPostenSimulator(options);
    try {
      const restored = second.model.jobs.get(job.id);
      assert.ok(restored, 'the job is still known after the restart');
      assert.equal(restored.reference, 'persist-1');
      assert.deepEqual(
        restored.signers.map((s) => s.status),
        ['SIGNED', 'WAITING'],
      );
      assert.deepEqual([...(restored.documents.get('d.pdf') ?? [])], [37, 80, 68, 70], 'documents kept byte for byte');
      const pending = second.model.deliveries.get(delivery.id);
      assert.ok(pending && pending.confirmations === 0, 'the unconfirmed delivery is still leased, to come back');
      assert.equal(second.model.stats.changesDelivered, first.model.stats.changesDelivered);
      second.model.confirm(job.id);
      const next = second.model.createJob({
        sender: '123456789',
        signers: [{ order: 1 }],
        documents: new Map([['e.pdf', new Uint8Array([1])]]),
      });
      assert.notEqual(next.id, job.id, 'job ids are never reused after a restart');
    } finally {
      await second.stop();
    }
  });

  it('starts empty when told not to keep state (a bench measuring Ferje alone)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-posten-nopersist-'));
    const options = {
      dataDir,
      logger: createLogger('test', 'ERROR'),
      senders: ['123456789'],
      mutualTls: false,
      persistState: false,
    };
    const first = await startPostenSimulator(options);
    first.model.createJob({ sender: '123456789', signers: [{ order: 1 }], documents: new Map() });
    await first.stop();
    const second = await startPostenSimulator(options);
    assert.equal(second.model.jobs.size, 0);
    await second.stop();
  });
});
