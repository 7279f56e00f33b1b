import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../../activities/signstash/failures';
import { signstashFailureTypes } from '../../../src/contract/signstash';
import {
  SignstashEndpointNotFoundError,
  SignstashOperationNotFoundError,
} from '../../../src/integrations/signstash/errors';
import { SignstashClient } from '../../../src/integrations/signstash/client';
import { defaultWireProfile, type WireProfile } from '../../../src/integrations/signstash/wire-profile';
import { loadSignstashConfig } from '../../../src/modules/signstash/config';
import { gateway404Page } from '../../../src/simulators/signstash/instance';
import type { SignstashSimulator } from '../../../src/simulators/signstash';
import { request, useSimulatorWithClient } from './helpers';

/** A client of the simulator on a different profile (the simulator itself does not change). */
function clientWith(sim: SignstashSimulator, change: (p: WireProfile) => void): SignstashClient {
  const profile = structuredClone(defaultWireProfile);
  change(profile);
  return new SignstashClient({ ...loadSignstashConfig(sim.env()), wireProfile: profile });
}

describe("Sign'Stash: only the proxy's own 'operation not found' means the instance lost the operation", () => {
  const rig = useSimulatorWithClient();

  it('reads 404 with the ErrorResponse and code 9.0.1 as "operation not found"', async () => {
    const { client, credentials } = rig.ctx;
    const err = await client
      .status(credentials, { host: '127.0.0.1', port: rig.sim.instances[0].port }, 'nf-never-started')
      .catch((e: unknown) => e);
    assert.ok(err instanceof SignstashOperationNotFoundError, String(err));
    assert.deepEqual(
      { status: err.httpStatus, code: err.errorCode, description: err.body?.errorCodeDescription },
      { status: 404, code: '9.0.1', description: 'Operation not found.' },
    );
  });

  it("reads a gateway's HTML 404 page as a configuration error, for status, result and the lost-start search", async () => {
    const { client, credentials } = rig.ctx;
    const started = await client.startAsync(credentials, request('nf-gateway', 1));
    const owner = rig.sim.instances.find((i) => i.port === started.operation.instance.port)!;
    owner.injectFaults('gateway-404', 3);
    try {
      for (const call of [
        () => client.status(credentials, started.operation.instance, 'nf-gateway'),
        () => client.result(credentials, started.operation.instance, 'nf-gateway', async () => undefined),
      ]) {
        const err = await call().catch((e: unknown) => e);
        assert.ok(err instanceof SignstashEndpointNotFoundError, String(err));
        assert.equal(err.retryable, false);
        assert.match(err.message, /text\/html/);
        assert.match(err.message, /not the proxy's "operation not found"/);
      }
      // The search for a start whose answer was lost must stop too, not skip the instance as "does not know it".
      const other = rig.sim.instances.find((i) => i !== owner)!;
      other.injectFaults('gateway-404', 1);
      owner.clearFaults();
      owner.injectFaults('gateway-404', 1);
      await assert.rejects(client.locate(credentials, 'nf-gateway'), SignstashEndpointNotFoundError);
    } finally {
      for (const i of rig.sim.instances) i.clearFaults();
    }
    assert.ok(owner.holds('nf-gateway'), 'the operation itself is untouched at the proxy');
    assert.equal(
      (await client.status(credentials, started.operation.instance, 'nf-gateway')).newest.id,
      started.operation.id,
    );
    assert.ok(gateway404Page.includes('404 Not Found'));
  });

  it("reads a wrong path (Spring's own 404 JSON) as a configuration error", async () => {
    const { credentials } = rig.ctx;
    const started = await rig.ctx.client.startAsync(credentials, request('nf-path', 1));
    const wrong = clientWith(rig.sim, (p) => {
      p.endpoints.status.path = '/api/v1/async/operation/status/{externalReference}';
    });
    try {
      const err = await wrong.status(credentials, started.operation.instance, 'nf-path').catch((e: unknown) => e);
      assert.ok(err instanceof SignstashEndpointNotFoundError, String(err));
      assert.match(err.message, /\/api\/v1\/async\/operation\/status\/nf-path/);
      assert.match(err.message, /application\/json/);
    } finally {
      await wrong.close();
    }
  });

  it('reads a 404 ErrorResponse with another code than the profile names as a configuration error', async () => {
    const { credentials } = rig.ctx;
    const other = clientWith(rig.sim, (p) => {
      p.errors.operationNotFound.errorCode = '9.9.9';
    });
    try {
      const err = await other
        .status(credentials, { host: '127.0.0.1', port: rig.sim.instances[0].port }, 'nf-never-started')
        .catch((e: unknown) => e);
      assert.ok(err instanceof SignstashEndpointNotFoundError, String(err));
      assert.match(err.message, /error code 9\.0\.1/);
    } finally {
      await other.close();
    }
  });

  it('leaves the activity as a non-retryable SignstashEndpointNotFound (never "gone")', () => {
    const failure = toApplicationFailure(
      new SignstashEndpointNotFoundError(404, undefined, "Sign'Stash async status", '/x', 'text/html'),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, signstashFailureTypes.endpointNotFound);
    assert.equal(failure.nonRetryable, true);
  });
});
