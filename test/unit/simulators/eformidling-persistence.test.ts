import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/logging/logger';
import { startEformidlingSimulator } from '../../../src/simulators/eformidling/server';

const logger = createLogger('test', 'ERROR');

describe('eFormidling simulator keeps the IP database across restarts, as the integrasjonspunkt does', () => {
  it('incoming messages with their files, subscriptions, counters and a message in transport survive a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-eformidling-persist-'));
    // Slow transport, so that the stop falls between two transport statuses.
    const options = { dataDir, logger, settings: { stepDelayMs: 1500, expiryCheckMs: 60_000 } };
    const first = await startEformidlingSimulator(options);
    const injected = await fetch(`${first.url}/_control/incoming`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ files: [{ name: 'dokument.pdf', text: '%PDF-1.7' }] }),
    }).then((r) => r.json() as Promise<{ messageId: string }>);
    first.state.addSubscription({
      name: 'ferje',
      pushEndpoint: 'http://127.0.0.1:9/none',
      resource: 'all',
      event: 'all',
    });
    const outgoing = first.state.createConversation({
      conversationId: 'c0ffee00-0000-4000-8000-000000000001',
      messageId: 'c0ffee00-0000-4000-8000-000000000002',
      direction: 'OUTGOING',
      serviceIdentifier: 'DPO',
      receiverIdentifier: '0192:910075918',
      expiry: Date.now() + 3600_000,
      outcome: 'delivered',
    });
    first.state.addStatus(outgoing, 'OPPRETTET');
    first.state.startTransport(undefined, outgoing);
    await new Promise((r) => setTimeout(r, 2000)); // the first transport status is in, the rest are not
    const before = outgoing.statuses.map((s) => s.status);
    assert.ok(before.length === 2 && !outgoing.finished, `mid-transport before the stop: ${before.join(',')}`);
    await first.stop();

    const second = await startEformidlingSimulator(options);
    try {
      const entry = second.state.inbox.get(injected.messageId);
      assert.ok(entry, 'the incoming message is still waiting to be popped');
      assert.ok(entry.asicPath && existsSync(entry.asicPath), 'its ASiC file is still on disk');
      assert.deepEqual(
        [...second.state.subscriptions.values()].map((s) => s.name),
        ['ferje'],
      );
      const conv = second.state.findConversation(outgoing.messageId, 'OUTGOING');
      assert.ok(conv);
      const deadline = Date.now() + 20_000;
      while (!conv.finished && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const statuses = conv.statuses.map((s) => s.status);
      assert.equal(statuses.at(-1), 'LEVERT', `transport continued after the restart: ${statuses.join(',')}`);
      assert.equal(new Set(statuses).size, statuses.length, 'no status registered twice');
    } finally {
      await second.stop();
    }
  });
});
