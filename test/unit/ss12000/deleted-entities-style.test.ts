import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResourceType } from '../../../src/contract/ss12000';
import { createActivityContext } from '../../../activities/ss12000/deps';
import { loadFerjeConfig } from '../../../src/config/ferje-config';
import { ConfigError } from '../../../src/config/env';
import { Ss12000ApiClient } from '../../../src/integrations/ss12000/api-client';
import {
  deletedEntitiesQueryStyles,
  type DeletedEntitiesQueryStyle,
} from '../../../src/integrations/ss12000/deleted-entities-query';
import { Ss12000RejectedError } from '../../../src/integrations/ss12000/errors';
import { StaticTokenProvider } from '../../../src/integrations/ss12000/token-provider';
import { createLogger } from '../../../src/logging/logger';
import { loadSs12000Config } from '../../../src/modules/ss12000/config';
import { Ss12000Simulator } from '../../../src/simulators/ss12000/server';
import type { DeletedEntitiesStyle, Tenant } from '../../../src/simulators/ss12000/tenant';

/**
 * Every `entities` style of Ferje's client against both ways a huvudman may read it (the simulator's switch), over
 * real HTTP: which combinations give every deletion asked for, and what the others do.
 */
describe('SS12000 /deletedEntities `entities` styles against the simulator', () => {
  let sim: Ss12000Simulator;
  let tenant: Tenant;
  const removed = {} as Record<ResourceType, string[]>;
  before(async () => {
    sim = await new Ss12000Simulator({ requireAuth: false }).start();
    tenant = sim.addTenant({ name: 'kommun', organisationId: 'SE2120000001', seed: 3, size: { persons: 20 } });
    removed.Person = tenant.remove('Person', 2);
    removed.Group = tenant.remove('Group', 2);
    removed.Duty = tenant.remove('Duty', 1);
  });
  after(() => sim.stop());

  const setStyle = async (style: DeletedEntitiesStyle): Promise<void> => {
    // Through the control endpoint, as a test or an operator flips it on a running simulator.
    const res = await fetch(`${sim.url}/control/hm/kommun/settings`, {
      method: 'POST',
      body: JSON.stringify({ deletedEntitiesStyle: style }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  };
  const client = (style?: DeletedEntitiesQueryStyle) =>
    new Ss12000ApiClient({
      baseUrl: sim.baseUrl('kommun'),
      tokens: new StaticTokenProvider(undefined),
      deletedEntitiesStyle: style,
    });
  const sorted = (d: Partial<Record<ResourceType, string[]>>) =>
    Object.fromEntries(Object.entries(d).map(([k, v]) => [k, [...v].sort()]));
  const expected = (types: ResourceType[]) => sorted(Object.fromEntries(types.map((t) => [t, removed[t]])));
  const lastQuery = () => tenant.requests[tenant.requests.length - 1].query;
  let lastUrl = '';
  const lastRawQuery = () => new URL(lastUrl).search;
  const fetchDeleted = async (style: DeletedEntitiesQueryStyle | undefined, entities: ResourceType[]) => {
    const page = await client(style).deletedEntitiesPage({ limit: 100, entities });
    lastUrl = page.resourceUrl;
    return sorted(page.deleted);
  };

  for (const server of ['comma', 'repeated'] as const) {
    it(`the default (portable) gets every deletion from a ${server} huvudman, for one type and for several`, async () => {
      await setStyle(server);
      assert.deepEqual(await fetchDeleted(undefined, ['Person', 'Group']), expected(['Person', 'Group']));
      assert.equal(lastQuery().entities, undefined, 'several types: no filter, the client keeps what it asked for');
      assert.deepEqual(await fetchDeleted('portable', ['Group']), expected(['Group']));
      assert.equal(lastRawQuery(), '?limit=100&entities=Group', 'one type reads the same in both styles');
    });
  }

  it('the matching style gets every deletion: comma against the reference, repeated against the OpenAPI', async () => {
    await setStyle('comma');
    assert.deepEqual(await fetchDeleted('comma', ['Person', 'Group']), expected(['Person', 'Group']));
    assert.equal(lastRawQuery(), '?limit=100&entities=Person%2CGroup');
    await setStyle('repeated');
    assert.deepEqual(await fetchDeleted('repeated', ['Person', 'Group']), expected(['Person', 'Group']));
    assert.equal(lastRawQuery(), '?limit=100&entities=Person&entities=Group');
  });

  it('the other style: comma is a 400 at an OpenAPI huvudman; repeated silently loses types at the reference', async () => {
    await setStyle('repeated');
    await assert.rejects(fetchDeleted('comma', ['Person', 'Group']), (e: unknown) => {
      assert.ok(e instanceof Ss12000RejectedError);
      assert.equal(e.httpStatus, 400);
      return true;
    });
    await setStyle('comma');
    // The reference keeps the first value only and answers 200: why `repeated` is not the default.
    assert.deepEqual(await fetchDeleted('repeated', ['Person', 'Group']), expected(['Person']));
  });

  it('is configured per huvudman, with a default for the others, and refuses unknown styles', async () => {
    await setStyle('repeated');
    const base = { FERJE_DATA_DIR: path.join(tmpdir(), 'ferje-ss12000-style'), SS12000_WEBHOOK_SECRET: 'x'.repeat(32) };
    const env = {
      ...base,
      SS12000_API_ALLOWED_URLS: `${sim.url}/hm/`,
      SS12000_DELETED_ENTITIES_STYLE: 'comma',
      SS12000_HUVUDMAN_DELETED_ENTITIES_STYLES: 'kommun=repeated',
    };
    const config = loadSs12000Config(env, loadFerjeConfig(env));
    assert.deepEqual(config.deletedEntitiesStyle, { default: 'comma', byHuvudman: { kommun: 'repeated' } });
    const ctx = createActivityContext(
      config,
      createLogger('test', 'ERROR', () => undefined),
    );
    const asKommun = await ctx.client('kommun', sim.baseUrl('kommun')).deletedEntitiesPage({
      limit: 100,
      entities: ['Person', 'Group'],
    });
    assert.deepEqual(sorted(asKommun.deleted), expected(['Person', 'Group']));
    await assert.rejects(
      ctx.client('another', sim.baseUrl('kommun')).deletedEntitiesPage({ limit: 100, entities: ['Person', 'Group'] }),
      Ss12000RejectedError,
      'the default (comma) is a 400 at this huvudman',
    );
    for (const bad of [
      { SS12000_DELETED_ENTITIES_STYLE: 'pipes' },
      { SS12000_HUVUDMAN_DELETED_ENTITIES_STYLES: 'kommun=csv' },
      { SS12000_HUVUDMAN_DELETED_ENTITIES_STYLES: '=comma' },
    ]) {
      assert.throws(() => loadSs12000Config({ ...base, ...bad }, loadFerjeConfig(base)), ConfigError);
    }
    assert.deepEqual(deletedEntitiesQueryStyles, ['portable', 'comma', 'repeated']);
    assert.equal(loadSs12000Config(base, loadFerjeConfig(base)).deletedEntitiesStyle.default, 'portable');
  });

  it('refuses an unknown simulator setting', async () => {
    const res = await fetch(`${sim.url}/control/hm/kommun/settings`, {
      method: 'POST',
      body: JSON.stringify({ deletedEntitiesStyle: 'pipes' }),
    });
    assert.equal(res.status, 400);
    await res.body?.cancel();
  });
});
