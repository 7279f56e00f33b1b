import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { toApplicationFailure } from '../../../activities/signstash/failures';
import { signstashFailureTypes } from '../../../src/contract/signstash';
import {
  SignstashAccessDeniedError,
  SignstashOperationNotFoundError,
  SignstashOperationPendingError,
  SignstashReferenceInUseError,
  SignstashUntrustedInstanceError,
  SignstashValidationError,
} from '../../../src/integrations/signstash/errors';
import { DocumentContent, SignRequestBuilder } from '../../../src/integrations/signstash/model';
import { clientFor, collect, request, startSimulator, until, useSimulatorWithClient } from './helpers';

describe("Sign'Stash client against the simulator (real HTTP)", () => {
  const rig = useSimulatorWithClient();

  it('starts through the load balancer, follows up only on the owning instance, and streams the result', async () => {
    const { client, credentials } = rig.ctx;
    const started = await client.startAsync(credentials, request('unit-happy', 3));
    assert.equal(started.operation.status, 'PENDING_EXECUTION');
    assert.equal(started.retryAfterMs, 1000);
    const owner = rig.sim.ownerOf('unit-happy');
    assert.ok(owner);
    assert.equal(started.operation.instance.port, owner.port);
    await assert.rejects(
      client.result(credentials, started.operation.instance, 'unit-happy', collect),
      SignstashOperationPendingError,
    );
    const report = await until(async () => {
      const r = await client.status(credentials, started.operation.instance, 'unit-happy');
      return r.newest.status === 'PENDING_EXECUTION' ? undefined : r;
    });
    assert.equal(report.newest.status, 'EXECUTED');
    assert.equal(report.newest.signedCount, 3);
    const result = await client.result(credentials, started.operation.instance, 'unit-happy', collect);
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.documents.length, 3);
    for (const doc of result.documents) {
      assert.equal(doc.signStatus, 'SIGNED');
      assert.match(doc.stored!.toString('latin1'), new RegExp(`%SIGNSTASH-MOCK PAdES ${doc.externalReference}\\n$`));
    }
    assert.equal(rig.sim.stats().wrongInstanceCalls, 0);
    assert.equal(rig.sim.stats().tokenRequests, 1, 'one token for every call of the process');
  });

  it('answers 404 from an instance that does not own the reference (and the simulator counts it)', async () => {
    const { client, credentials } = rig.ctx;
    const started = await client.startAsync(credentials, request('unit-wrong', 1));
    const other = rig.sim.instances.find((i) => i.port !== started.operation.instance.port)!;
    await assert.rejects(
      client.status(credentials, { host: '127.0.0.1', port: other.port }, 'unit-wrong'),
      SignstashOperationNotFoundError,
    );
    assert.equal(rig.sim.stats().wrongInstanceCalls, 1);
    other.stats.wrongInstanceCalls = 0;
  });

  it('maps the product quirks: validation as 500, reused reference as 409 0.0.7, bad token as 409 0.0.10', async () => {
    const { client, credentials } = rig.ctx;
    const bad = SignRequestBuilder.forReference('unit-bad')
      .description('x')
      .addDocument({
        externalReference: 'd',
        name: 'd.pdf',
        contentType: 'application/pdf',
        content: DocumentContent.fromBytes(Buffer.alloc(0)),
        signature: { signatureType: 'PAdES' },
      })
      .build();
    const err = await client.startAsync(credentials, bad).catch((e: unknown) => e);
    assert.ok(err instanceof SignstashValidationError);
    assert.equal(err.httpStatus, 500);
    assert.equal(err.errorCode, '0.0.2');

    // Both instances see the same reference in turn (round robin): only the one that has it answers 409.
    await client.startAsync(credentials, request('unit-reuse', 1));
    const second = await client.startAsync(credentials, request('unit-reuse', 1)).catch((e: unknown) => e);
    const third = await client.startAsync(credentials, request('unit-reuse', 1)).catch((e: unknown) => e);
    const conflicts = [second, third].filter((e) => e instanceof SignstashReferenceInUseError);
    assert.equal(conflicts.length, 1, 'exactly one of the next two starts hits the owning instance');

    rig.sim.shared.options.tokenErrorMode = '409';
    try {
      rig.sim.invalidateTokens();
      const before = rig.sim.stats().tokenRequests;
      const started = await client.startAsync(credentials, request('unit-token409', 1));
      assert.equal(started.operation.status, 'PENDING_EXECUTION');
      assert.equal(rig.sim.stats().tokenRequests, before + 1, 'refetched once after 409 0.0.10');
    } finally {
      rig.sim.shared.options.tokenErrorMode = '401';
    }
  });

  it('refuses an advertised instance that is not on the allow-list, without contacting it', async () => {
    const lonely = await startSimulator({ instances: [{ advertisedHost: '10.9.9.9', advertisedPort: 8081 }] });
    const { client, credentials } = clientFor(lonely);
    try {
      const err = await client.startAsync(credentials, request('unit-untrusted', 1)).catch((e: unknown) => e);
      assert.ok(err instanceof SignstashUntrustedInstanceError);
      assert.equal(client.http.origins().includes('http://10.9.9.9:8081'), false);
    } finally {
      await client.close();
      await lonely.stop();
    }
  });

  it('refuses wrong credentials with a typed error', async () => {
    const { client } = rig.ctx;
    const err = await client
      .startAsync({ clientServiceId: 'PRT.1-PRT.2-unknown', secret: 'wrong' }, request('unit-creds', 1))
      .catch((e: unknown) => e);
    assert.ok(err instanceof SignstashAccessDeniedError);
  });

  it('signs synchronously for small batches', async () => {
    const { client, credentials } = rig.ctx;
    const result = await client.signSync(credentials, request('unit-sync', 2), collect);
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.documents.filter((d) => d.stored?.toString('latin1').includes('%SIGNSTASH-MOCK')).length, 2);
  });

  it('gets 409 0.0.7 from the sync endpoint for a reused reference, on any instance, as the SaaS answers', async () => {
    const { client, credentials } = rig.ctx;
    const syncCalls = (): number[] => rig.sim.instances.map((i) => i.stats.syncCalls);
    const atFirst = syncCalls();
    await client.signSync(credentials, request('unit-sync-reused', 1), collect);
    const afterFirst = syncCalls();
    const err = await client.signSync(credentials, request('unit-sync-reused', 1), collect).catch((e: unknown) => e);
    const afterSecond = syncCalls();
    const served = (a: number[], b: number[]): number => b.findIndex((n, i) => n !== a[i]);
    // Round robin: the second call reached the other instance; the SaaS behind both remembers the reference.
    assert.notEqual(served(atFirst, afterFirst), served(afterFirst, afterSecond));
    assert.ok(err instanceof SignstashReferenceInUseError, String(err));
    assert.equal(err.httpStatus, 409);
    assert.deepEqual(err.body, {
      errorCode: '0.0.7',
      errorCodeDescription: 'Already exists.',
      causeMessage: 'externalReference already exists',
    });
    const failure = toApplicationFailure(err);
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, signstashFailureTypes.referenceInUse);
    assert.equal(failure.nonRetryable, true);
  });
});
