import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ss12000ApiClient } from '../../../src/integrations/ss12000/api-client';
import { PageSyncer } from '../../../src/integrations/ss12000/page-sync';
import { SqliteStore } from '../../../src/integrations/ss12000/store/sqlite-store';
import { StaticTokenProvider } from '../../../src/integrations/ss12000/token-provider';
import { EntityValidator } from '../../../src/integrations/ss12000/validation';
import { createLogger } from '../../../src/logging/logger';
import { Ss12000Simulator } from '../../../src/simulators/ss12000/server';

// The API declares `resourceId` as `format: uuid`; a random one is version 4.
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Validation log entries as Skolverket's client document says (seeds/ss12000-client-dnp.sv.md: "POST: LogEntry with
 * error message and code. Random generated resource ID."), posted over real HTTP to the simulator.
 */
describe('SS12000 validation log entries', () => {
  let sim: Ss12000Simulator;
  let store: SqliteStore;
  before(async () => {
    sim = await new Ss12000Simulator({ requireAuth: false }).start();
    store = await SqliteStore.open(path.join(mkdtempSync(path.join(tmpdir(), 'ferje-ss12000-log-')), 's.sqlite'));
  });
  after(async () => {
    await store.close();
    await sim.stop();
  });

  for (const logSchema of ['reference', 'openapi'] as const) {
    it(`carry a randomly generated resourceId: a UUID, a different one per entry, never the entity’s id (${logSchema} /log)`, async () => {
      const tenant = sim.addTenant({
        name: `kommun-${logSchema}`,
        logSchema,
        organisationId: 'SE2120000001',
        seed: 5,
        size: { persons: 40 },
        invalidShare: 0.5,
      });
      const syncer = new PageSyncer({
        client: new Ss12000ApiClient({ baseUrl: sim.baseUrl(tenant.name), tokens: new StaticTokenProvider(undefined) }),
        validator: new EntityValidator(),
        store,
        reportConcurrency: 4,
        logger: createLogger('test', 'ERROR', () => undefined),
      });
      const counts = await syncer.syncPage({
        huvudman: tenant.name,
        step: 'Person',
        limit: 100,
        keptTypes: ['Person'],
      });
      assert.ok(counts.invalid >= 2, `invalid entities in the page: ${counts.invalid}`);
      assert.equal(tenant.logs.length, counts.invalid);
      assert.equal(counts.logEntriesPosted, counts.invalid, 'the huvudman took every entry');
      const ids = tenant.logs.map((l) => String(l.resourceId));
      for (const id of ids) assert.match(id, UUID_V4);
      assert.equal(new Set(ids).size, ids.length, 'two entries never share a resourceId');
      const entityIds = new Set(
        tenant
          .ids('Person')
          .map((key) => tenant.entity('Person', key)?.id)
          .filter((id): id is string => typeof id === 'string'),
      );
      assert.ok(
        ids.every((id) => !entityIds.has(id)),
        'the resourceId is generated, not the entity id',
      );
      for (const log of tenant.logs) {
        assert.equal(log.resourceType, 'Person');
        assert.match(String(log.message), /failed validation/);
      }
    });
  }
  it('the simulator’s /log: the reference takes any resourceId, an OpenAPI-strict huvudman only a uuid', async () => {
    const answers: Record<string, number> = {};
    for (const logSchema of ['reference', 'openapi'] as const) {
      const tenant = sim.addTenant({ name: `log-${logSchema}`, organisationId: 'SE2120000001', logSchema });
      const res = await fetch(`${sim.baseUrl(tenant.name)}/log`, {
        method: 'POST',
        body: JSON.stringify({ message: 'm', severityLevel: 'Error', resourceId: 'elev-7' }),
      });
      answers[logSchema] = res.status;
      await res.body?.cancel();
    }
    assert.deepEqual(answers, { reference: 201, openapi: 400 });
  });
});
