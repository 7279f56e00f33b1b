import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientServiceCredentials } from '../../../src/integrations/signstash/model';
import { loadSignstashConfig } from '../../../src/modules/signstash/config';
import { HttpTransport } from '../../../src/integrations/signstash/http';
import { TokenProvider } from '../../../src/integrations/signstash/token-provider';
import type { SignstashSimulator } from '../../../src/simulators/signstash';
import { startSimulator } from './helpers';

describe("Sign'Stash token cache (real token endpoint of the simulator)", () => {
  let sim: SignstashSimulator;
  let http: HttpTransport;
  let credentials: ClientServiceCredentials;
  before(async () => {
    sim = await startSimulator({ instances: 1, tokenTtlSeconds: 100 });
    http = new HttpTransport({ connectTimeoutMs: 2000, connectionsPerOrigin: 4, requestTimeoutMs: 5000 });
    credentials = [...loadSignstashConfig(sim.env()).credentials.values()][0];
  });
  after(async () => {
    await http.close();
    await sim.stop();
  });

  it('asks once for a burst of callers and reuses the token until a fifth of its lifetime is left', async () => {
    let now = 1_000_000;
    const tokens = new TokenProvider(http, sim.tokenUrl, 60_000, () => now);
    const first = await Promise.all(Array.from({ length: 20 }, () => tokens.token(credentials)));
    assert.equal(new Set(first).size, 1);
    assert.equal(tokens.requests, 1);
    now += 79_000; // margin = min(60 s, 100 s / 5) = 20 s
    assert.equal(await tokens.token(credentials), first[0]);
    now += 2_000;
    assert.notEqual(await tokens.token(credentials), first[0]);
    assert.equal(tokens.requests, 2);
  });

  it('forgets a refused token, but not one that already replaced it', async () => {
    const tokens = new TokenProvider(http, sim.tokenUrl, 60_000);
    const a = await tokens.token(credentials);
    tokens.invalidate(credentials.clientServiceId, 'some-older-token');
    assert.equal(await tokens.token(credentials), a);
    tokens.invalidate(credentials.clientServiceId, a);
    assert.notEqual(await tokens.token(credentials), a);
  });
});
