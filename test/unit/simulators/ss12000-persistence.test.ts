import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Ss12000Simulator } from '../../../src/simulators/ss12000/server';
import { freePort } from '../../harness/ports';

describe('SS12000 simulator keeps the huvudman and its token server across restarts', () => {
  it('data, deletions, subscriptions, received logs and the signing key survive a stop and start', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ferje-ss12000-persist-'));
    const port = await freePort();
    const first = await new Ss12000Simulator({ dataDir, port }).start();
    const tenant = first.addTenant({
      name: 'kommun',
      organisationId: 'SE2120000001',
      size: { organisations: 2, persons: 5, groups: 2, duties: 2, activities: 2 },
    });
    tenant.add('Person');
    const removed = tenant.remove('Group', 1);
    tenant.subscriptions.set('sub-1', {
      id: 'sub-1',
      name: 'ferje',
      target: 'http://127.0.0.1:9/webhook',
      resourceTypes: [{ resource: 'Person' }],
      expires: new Date(Date.now() + 86_400_000).toISOString(),
    });
    tenant.logs.push({ resourceType: 'Person', message: 'invalid' });
    const personsBefore = tenant.listPage('Person', new URLSearchParams('limit=100')).body;
    const jwksBefore = JSON.stringify(first.issuer.jwks());
    const apiUrl = first.baseUrl('kommun');
    const tokenBefore = first.issuer.mint(
      { organization_id: 'SE2120000001', requested_access: [{ type: 'ss12000-api', locations: [apiUrl] }] },
      3600,
    );
    await first.stop();

    const second = await new Ss12000Simulator({ dataDir, port }).start();
    try {
      const restored = second.tenant('kommun');
      assert.deepEqual(restored.listPage('Person', new URLSearchParams('limit=100')).body, personsBefore);
      const deleted = restored.deletedPage(new URLSearchParams('entities=Group')).body;
      assert.ok(JSON.stringify(deleted).includes(removed[0]), 'the deletion is still reported');
      assert.deepEqual([...restored.subscriptions.keys()], ['sub-1']);
      assert.equal(restored.logs.length, 1);
      assert.equal(JSON.stringify(second.issuer.jwks()), jwksBefore, 'the JWKS publishes the same key');
      assert.equal(
        await second.issuer.checkApiToken(`Bearer ${tokenBefore}`, apiUrl, 'SE2120000001'),
        200,
        'a token issued before the restart still verifies',
      );
    } finally {
      await second.stop();
    }
  });
});
