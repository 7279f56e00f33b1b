import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import { searchAttributes } from '../../../src/contract/search-attributes';
import {
  signatureOperationFlow,
  signatureOperationStateQuery,
  signstashFailureTypes,
} from '../../../src/contract/signstash';
import { SignstashClient } from '../../../src/integrations/signstash/client';
import { loadSignstashConfig } from '../../../src/modules/signstash/config';
import { DocumentContent, SignRequestBuilder } from '../../../src/integrations/signstash/model';
import { FlowStartError } from '../../../src/client/flow-errors';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { pdf, pdfDocuments, readBlob, startRig, uniqueReference, type SignstashRig } from './harness';

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => assert.fail('the workflow should fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowFailedError, String(err));
  assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
  return err.cause;
}

describe("Sign'Stash signature operation (real dev server, simulator with two instances)", () => {
  let env: TestWorkflowEnvironment;
  let rig: SignstashRig;
  before(async () => {
    env = await getTestEnv();
    rig = await startRig(env);
  });
  after(async () => {
    await rig.stop();
  });

  it('signs a batch on the instance that took it: status and result never go anywhere else', async () => {
    const ref = uniqueReference('happy');
    const stored = await rig.ctx.blobStore.put(pdf('stored first'), { mediaType: 'application/pdf' });
    const xml = '<?xml version="1.0"?><Invoice><ID>1</ID></Invoice>';
    const before = rig.sim.stats();
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Lease for signing',
      documents: [
        {
          externalReference: `${ref}-a`,
          name: 'a.pdf',
          contentType: 'application/pdf',
          content: { blob: stored },
          signatureType: 'PAdES',
        },
        ...pdfDocuments(ref, 1),
        {
          externalReference: `${ref}-x`,
          name: 'invoice.xml',
          contentType: 'text/xml',
          content: { base64: Buffer.from(xml).toString('base64') },
          signatureType: 'XAdES',
        },
      ],
    });
    assert.equal(started.workflowId, `signstash/${rig.clientServiceId}/${ref}`);
    const result = await started.result();
    assert.equal(result.status, 'EXECUTED');
    assert.equal(result.signedCount, 3);
    assert.equal(result.errorCount, 0);
    assert.deepEqual(result.instanceLoss, { behaviour: 'fail', restarts: [] });
    const owner = rig.sim.ownerOf(ref)!;
    assert.equal(result.placement.port, owner.port);
    assert.match(
      (await readBlob(rig, result.documents[0].signed!)).toString('latin1'),
      new RegExp(`%SIGNSTASH-MOCK PAdES ${ref}-a\\n$`),
    );
    assert.match(
      (await readBlob(rig, result.documents[2].signed!)).toString('utf8'),
      /<ds:Signature [^>]*Id="signstash-mock"\/><\/Invoice>$/,
    );
    assert.equal(result.documents[2].signed!.mediaType, 'text/xml');

    const after = rig.sim.stats();
    assert.equal(after.wrongInstanceCalls, 0);
    assert.equal(after.followUpCallsViaLoadBalancer, 0);
    assert.equal(after.starts - before.starts, 1);
    const other = rig.sim.instances.find((i) => i !== owner)!;
    assert.equal(
      other.stats.statusCalls + other.stats.detailCalls,
      before.instances[other.index].stats.statusCalls + before.instances[other.index].stats.detailCalls,
      'no follow-up call on the other instance',
    );

    const handle = env.client.workflow.getHandle(started.workflowId);
    const description = await handle.describe();
    assert.deepEqual(description.typedSearchAttributes.get(searchAttributes.status), 'EXECUTED');
    const state = await handle.query(signatureOperationStateQuery);
    assert.equal(state.phase, 'completed');
    assert.equal(state.placement?.operationId, result.placement.operationId);
    await recordHistory(env.client, started.workflowId, 'signstash-happy-path');
    // The same path since the guard validates first (a patch marker before the first command).
    await recordHistory(env.client, started.workflowId, 'signstash-happy-path-guarded');
  });

  it("rejects bad input with a typed failure before anything reaches Sign'Stash", async () => {
    const ref = uniqueReference('invalid');
    const before = rig.sim.stats().starts;
    const input = {
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: '',
      documents: [{ ...pdfDocuments(ref, 1)[0], contentType: 'text/xml' as const }],
    };
    // startFlow refuses it on the client, in words; nothing reaches Temporal.
    const refused = await rig.start(input).then(
      () => assert.fail('startFlow should refuse it'),
      (e: unknown) => e,
    );
    assert.ok(refused instanceof FlowStartError, String(refused));
    assert.match(refused.message, /\/description/);
    // Started the language-neutral way, the workflow's guard refuses it the same way.
    const workflowId = signatureOperationFlow.workflowId(input);
    const handle = await env.client.workflow.start(signatureOperationFlow.workflowType, {
      workflowId,
      taskQueue: rig.taskQueue,
      args: [input],
    });
    const failure = await failureOf(handle.result());
    assert.equal(failure.type, commonFailureTypes.invalidInput);
    assert.match(failure.message, /\/description/);
    assert.match(failure.message, /PAdES signs PDF documents only/);
    assert.equal(rig.sim.stats().starts, before);
    await recordHistory(env.client, workflowId, 'signstash-invalid-input');
  });

  it('fails a started-by-hand workflow with no input as invalid input instead of retrying its task forever', async () => {
    const handle = await env.client.workflow.start('signstashSignatureOperation', {
      workflowId: `signstash-null-input-${uniqueReference('n')}`,
      taskQueue: rig.taskQueue,
      args: [null],
    });
    const failure = await failureOf(handle.result());
    assert.equal(failure.type, commonFailureTypes.invalidInput);
  });

  it('fails with SignstashUnknownClientService, directly on the workflow failure, for an unconfigured client service', async () => {
    const ref = uniqueReference('unknownsvc');
    const before = rig.sim.stats().starts;
    const started = await rig.start({
      clientServiceId: 'PRT.999999999-PRT.999999999-000000',
      externalReference: ref,
      description: 'Not configured here',
      documents: pdfDocuments(ref, 1),
    });
    const failure = await failureOf(started.result());
    assert.equal(failure.type, signstashFailureTypes.unknownClientService);
    assert.equal(rig.sim.stats().starts, before);
  });

  it('reports per-document signing errors instead of hiding them', async () => {
    const ref = uniqueReference('docerror');
    rig.sim.plan(ref, { failDocuments: { [`${ref}-d1`]: 'TIMESTAMP_SIGN_ERROR' } });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Three documents, one fails',
      documents: pdfDocuments(ref, 3),
    });
    const result = await started.result();
    assert.equal(result.status, 'EXECUTION_ERROR');
    assert.equal(result.signedCount, 2);
    assert.equal(result.errorCount, 1);
    assert.deepEqual(
      result.documents.map((d) => [d.index, d.signStatus, d.signError, d.signed !== undefined]),
      [
        [0, 'SIGNED', undefined, true],
        [1, 'ERROR_SIGNING', 'TIMESTAMP_SIGN_ERROR', false],
        [2, 'SIGNED', undefined, true],
      ],
    );
    const description = await env.client.workflow.getHandle(started.workflowId).describe();
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'EXECUTION_ERROR');
    await recordHistory(env.client, started.workflowId, 'signstash-document-error');
  });

  it('fails with SignstashOperationFailed when the operation ends EXECUTION_FAILED', async () => {
    const ref = uniqueReference('failed');
    rig.sim.plan(ref, { scenario: 'fail' });
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Nothing will be signed',
      documents: pdfDocuments(ref, 2),
    });
    const failure = await failureOf(started.result());
    assert.equal(failure.type, signstashFailureTypes.operationFailed);
    assert.match(failure.message, /EXECUTION_FAILED \(0\.0\.1/);
    await recordHistory(env.client, started.workflowId, 'signstash-operation-failed');
  });

  it("fails with SignstashReferenceInUse when the reference was already used at Sign'Stash", async () => {
    const ref = uniqueReference('reused');
    // Someone else used the reference, on every instance (duplicates are checked per instance).
    const config = loadSignstashConfig(rig.ctx.env);
    const client = new SignstashClient(config);
    try {
      for (let i = 0; i < rig.sim.instances.length; i++) {
        const request = SignRequestBuilder.forReference(ref)
          .description('earlier use')
          .addDocument({
            externalReference: 'x',
            name: 'x.pdf',
            contentType: 'application/pdf',
            content: DocumentContent.fromBytes(pdf('x')),
            signature: { signatureType: 'PAdES' },
          })
          .build();
        await client.startAsync([...config.credentials.values()][0], request);
      }
    } finally {
      await client.close();
    }
    const before = rig.sim.stats().starts;
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Reused reference',
      documents: pdfDocuments(ref, 1),
    });
    const failure = await failureOf(started.result());
    assert.equal(failure.type, signstashFailureTypes.referenceInUse);
    assert.equal(rig.sim.stats().starts - before, 1, 'one attempt: a 409 on the first try is not retried');
    await recordHistory(env.client, started.workflowId, 'signstash-reference-in-use');
  });

  it('adopts the operation when the answer to a start was lost, instead of starting a second one', async () => {
    const ref = uniqueReference('lostanswer');
    for (const instance of rig.sim.instances) instance.injectFaults('accept-then-drop', 1);
    const before = rig.sim.stats().starts;
    const started = await rig.start({
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'Lost 202',
      documents: pdfDocuments(ref, 2),
    });
    const result = await started.result();
    assert.equal(result.status, 'EXECUTED');
    const owners = rig.sim.instances.filter((i) => i.holds(ref));
    assert.equal(owners.length, 1, 'exactly one operation exists for the reference');
    assert.equal(result.placement.port, owners[0].port);
    assert.equal(rig.sim.stats().starts - before, 1, 'the retried attempt found the operation and did not post again');
    for (const instance of rig.sim.instances) instance.clearFaults();
    await recordHistory(env.client, started.workflowId, 'signstash-start-answer-lost');
  });
});
