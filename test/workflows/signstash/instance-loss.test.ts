import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../../../src/contract/search-attributes';
import { signatureOperationStateQuery, signstashFailureTypes } from '../../../src/contract/signstash';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { pdfDocuments, startRig, uniqueReference, waitFor, type SignstashRig } from './harness';

/** Waits until the workflow knows where its operation lives, and returns that instance of the simulator. */
async function ownerOnceStarted(rig: SignstashRig, env: TestWorkflowEnvironment, workflowId: string) {
  const state = await waitFor(async () => {
    const s = await env.client.workflow.getHandle(workflowId).query(signatureOperationStateQuery);
    return s.placement ? s : undefined;
  });
  const owner = rig.sim.instances.find((i) => i.port === state.placement!.port);
  assert.ok(owner, 'the placement names one of the simulated instances');
  return owner;
}

describe("Sign'Stash: the owning instance restarts or disappears (real dev server, two instances)", () => {
  let env: TestWorkflowEnvironment;
  let rig: SignstashRig;
  before(async () => {
    env = await getTestEnv();
    rig = await startRig(env, { sim: { baseDelayMs: 1500 } });
  });
  after(async () => {
    await rig.stop();
  });

  it('resumes on the same instance when it comes back with its state', async () => {
    const ref = uniqueReference('restarted');
    // Slow (10×): the operation is certainly still pending when the test takes its instance away.
    rig.sim.plan(ref, { scenario: 'slow' });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Instance restarts mid-operation',
      documents: pdfDocuments(ref, 2),
      options: { instanceLostAfterSeconds: 60, onInstanceLost: 'fail' },
    });
    const owner = await ownerOnceStarted(rig, env, started.workflowId);
    const startsBefore = rig.sim.stats().starts;
    await owner.stop();
    const handle = env.client.workflow.getHandle(started.workflowId);
    await waitFor(async () => (await handle.query(signatureOperationStateQuery)).goneReason === 'unreachable');
    assert.equal((await handle.describe()).typedSearchAttributes.get(searchAttributes.status), 'INSTANCE_UNREACHABLE');
    await owner.start();
    const result = await started.result();
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.placement.port, owner.port);
    assert.equal(result.placement.externalReference, ref);
    assert.deepEqual(result.instanceLoss.restarts, []);
    assert.equal(rig.sim.stats().starts, startsBefore, 'no second start');
    assert.equal(rig.sim.stats().wrongInstanceCalls, 0);
    await recordHistory(env.client, started.workflowId, 'signstash-instance-restarted');
  });

  it('fails with SignstashInstanceLost when the instance stays gone and the caller chose "fail"', async () => {
    const ref = uniqueReference('lostfail');
    // Slow (10×): the operation is certainly still pending when the test takes its instance away.
    rig.sim.plan(ref, { scenario: 'slow' });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Instance gone for good',
      documents: pdfDocuments(ref, 1),
      options: { instanceLostAfterSeconds: 2, onInstanceLost: 'fail' },
    });
    const owner = await ownerOnceStarted(rig, env, started.workflowId);
    await owner.stop();
    try {
      const err = await started.result().then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, signstashFailureTypes.instanceLost);
      assert.match(err.cause.message, new RegExp(`127\\.0\\.0\\.1:${owner.port}.*Configured behaviour: fail`));
      const [details] = err.cause.details as [{ behaviour: string; loss: { reason: string } }];
      assert.equal(details.behaviour, 'fail');
      assert.equal(details.loss.reason, 'unreachable');
      const description = await env.client.workflow.getHandle(started.workflowId).describe();
      assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'INSTANCE_LOST');
      await recordHistory(env.client, started.workflowId, 'signstash-instance-lost-fail');
    } finally {
      await owner.start();
    }
  });

  it('starts again on another instance under a derived reference when the caller chose "restart"', async () => {
    const ref = uniqueReference('lostrestart');
    // Slow (10×): the operation is certainly still pending when the test takes its instance away.
    rig.sim.plan(ref, { scenario: 'slow' });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Instance gone for good, restart elsewhere',
      documents: pdfDocuments(ref, 2),
      options: { instanceLostAfterSeconds: 2, onInstanceLost: 'restart', maxRestarts: 2 },
    });
    const owner = await ownerOnceStarted(rig, env, started.workflowId);
    await owner.stop();
    // Its state is gone too: the container was recreated without its volume.
    owner.forgetState();
    try {
      const result = await started.result();
      assert.equal(result.status, 'EXECUTED');
      assert.equal(result.requestedReference, ref);
      assert.equal(result.placement.externalReference, `${ref}-R2`);
      assert.notEqual(result.placement.port, owner.port);
      assert.equal(result.instanceLoss.behaviour, 'restart');
      assert.equal(result.instanceLoss.restarts.length, 1);
      assert.equal(result.instanceLoss.restarts[0].port, owner.port);
      assert.equal(result.instanceLoss.restarts[0].externalReference, ref);
      assert.equal(result.signedCount, 2);
      await recordHistory(env.client, started.workflowId, 'signstash-instance-lost-restart');
    } finally {
      await owner.start();
    }
  });

  it('counts an instance that no longer knows the operation (404) as gone too', async () => {
    const ref = uniqueReference('forgotten');
    // Slow (10×): the operation is certainly still pending when the test takes its instance away.
    rig.sim.plan(ref, { scenario: 'slow' });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Instance forgets',
      documents: pdfDocuments(ref, 1),
      options: { instanceLostAfterSeconds: 1, onInstanceLost: 'restart' },
    });
    const owner = await ownerOnceStarted(rig, env, started.workflowId);
    owner.forgetState();
    const result = await started.result();
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.instanceLoss.restarts[0].reason, 'unknown-operation');
    assert.equal(result.placement.externalReference, `${ref}-R2`);
  });

  it("never restarts on a gateway's 404 page: fails SignstashEndpointNotFound, the operation left running", async () => {
    const ref = uniqueReference('gateway404');
    rig.sim.plan(ref, { scenario: 'slow' });
    const startsBefore = rig.sim.stats().starts;
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'A gateway answers 404 for the instance',
      documents: pdfDocuments(ref, 1),
      options: { instanceLostAfterSeconds: 1, onInstanceLost: 'restart' },
    });
    const owner = await ownerOnceStarted(rig, env, started.workflowId);
    owner.injectFaults('gateway-404', 1000);
    try {
      const err = await started.result().catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, signstashFailureTypes.endpointNotFound);
      assert.match(err.cause.message, /not the proxy's "operation not found" answer \(a text\/html body/);
      await recordHistory(env.client, started.workflowId, 'signstash-endpoint-not-found');
    } finally {
      owner.clearFaults();
    }
    assert.equal(rig.sim.stats().starts, startsBefore + 1, 'one start: no restart under a derived reference');
    assert.ok(!rig.sim.instances.some((i) => i.holds(`${ref}-R2`)));
    assert.ok(owner.holds(ref), 'the operation is still at its instance');
  });
});

describe("Sign'Stash: timeout and cancellation (real dev server)", () => {
  let env: TestWorkflowEnvironment;
  let rig: SignstashRig;
  before(async () => {
    env = await getTestEnv();
    rig = await startRig(env, { sim: { baseDelayMs: 1500 } });
  });
  after(async () => {
    await rig.stop();
  });

  it('fails with SignstashOperationTimedOut when the operation is not final in time', async () => {
    const ref = uniqueReference('timeout');
    rig.sim.plan(ref, { scenario: 'slow' });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Too slow',
      documents: pdfDocuments(ref, 1),
      options: { operationTimeoutSeconds: 5 },
    });
    const err = await started.result().then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, signstashFailureTypes.operationTimedOut);
    const description = await env.client.workflow.getHandle(started.workflowId).describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'TIMED_OUT');
    await recordHistory(env.client, started.workflowId, 'signstash-operation-timed-out');
  });

  it('ends Canceled with FerjeStatus CANCELLED when its caller cancels it', async () => {
    const ref = uniqueReference('cancel');
    rig.sim.plan(ref, { scenario: 'slow' });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Cancelled while pending',
      documents: pdfDocuments(ref, 1),
    });
    await ownerOnceStarted(rig, env, started.workflowId);
    const handle = env.client.workflow.getHandle(started.workflowId);
    await handle.cancel();
    const err = await started.result().then(
      () => assert.fail('should be cancelled'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, String(err));
    const description = await handle.describe();
    assert.equal(description.status.name, 'CANCELLED');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'CANCELLED');
    await recordHistory(env.client, started.workflowId, 'signstash-cancelled');
  });
});

describe("Sign'Stash: token expiry and continue-as-new (real dev server)", () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await getTestEnv();
  });

  it('refreshes short-lived tokens before expiry and after a refused token, without failing the operation', async () => {
    const rig = await startRig(env, { sim: { tokenTtlSeconds: 2, baseDelayMs: 4000 } });
    try {
      const ref = uniqueReference('token');
      const started = await rig.start({
        clientServiceId: rig.clientServiceId,
        externalReference: ref,
        description: 'Outlives its token',
        documents: pdfDocuments(ref, 1),
      });
      await ownerOnceStarted(rig, env, started.workflowId);
      // Mid-operation every issued token stops validating (key rotation at the SaaS).
      rig.sim.invalidateTokens();
      const result = await started.result();
      assert.equal(result.status, 'EXECUTED');
      const stats = rig.sim.stats();
      const calls = stats.instances.reduce((n, i) => n + i.stats.statusCalls + i.stats.detailCalls, 0) + stats.starts;
      assert.ok(stats.tokenRequests >= 3, `tokens were refreshed (${stats.tokenRequests})`);
      assert.ok(stats.tokenRequests < calls, `fewer tokens (${stats.tokenRequests}) than calls (${calls})`);
      assert.ok(
        stats.instances.some((i) => i.stats.unauthorized > 0),
        'the refused token was noticed',
      );
      assert.equal(stats.wrongInstanceCalls, 0);
      await recordHistory(env.client, started.workflowId, 'signstash-token-expiry');
    } finally {
      await rig.stop();
    }
  });

  it('continues as new while polling a long operation, keeping the instance and the clock', async () => {
    const rig = await startRig(env, { sim: { baseDelayMs: 4000 }, env: { SIGNSTASH_MAX_POLLS_PER_RUN: '2' } });
    try {
      const ref = uniqueReference('can');
      const started = await rig.start({
        clientServiceId: rig.clientServiceId,
        externalReference: ref,
        description: 'Long operation',
        documents: pdfDocuments(ref, 2),
      });
      const result = await started.result();
      assert.equal(result.status, 'EXECUTED');
      assert.equal(result.signedCount, 2);
      // startFlow started it (started === true), so the handle carries the first run's id.
      const firstRunId = (started.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId;
      const last = await env.client.workflow.getHandle(started.workflowId).describe();
      assert.notEqual(last.runId, firstRunId, 'the workflow continued as new');
      assert.equal(rig.sim.stats().starts, 1);
      assert.equal(rig.sim.stats().wrongInstanceCalls, 0);
      await recordHistory(env.client, started.workflowId, 'signstash-continue-as-new-first-run', {
        runId: firstRunId,
      });
      await recordHistory(env.client, started.workflowId, 'signstash-continue-as-new-last-run', { runId: last.runId });
    } finally {
      await rig.stop();
    }
  });
});
