import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { refusedAtStart } from '../../harness/hostile-start';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FlowStartError } from '../../../src/client/flow-errors';
import { commonFailureTypes } from '../../../src/contract/failure-types';
import { signstashWorkflowTypes, type SignatureOperationResumeState } from '../../../src/contract/signstash';
import { recordHistory } from '../../harness/histories';
import { getTestEnv } from '../../harness/temporal';
import { pdfDocuments, startRig, uniqueReference, type SignstashRig } from './harness';

// Synthetic, checksum-valid numbers (no real person's): a Norwegian fødselsnummer and a Swedish personnummer.
const NORWEGIAN_NUMBER = '01018000055';
const SWEDISH_NUMBER = '198112189876';

/** A resume as the workflow itself would carry it, for forging variants of. */
function resume(overrides: Partial<SignatureOperationResumeState> = {}): SignatureOperationResumeState {
  return {
    manifest: { sha256: 'a'.repeat(64), size: 10 },
    documentCount: 1,
    policy: {
      onInstanceLost: 'fail',
      instanceLostAfterMs: 60_000,
      maxRestarts: 2,
      operationTimeoutMs: 600_000,
      startRetryIntervalMs: 1000,
      firstPollDelayMs: 300,
      maxPollDelayMs: 1000,
      maxPollsPerRun: 100,
    },
    placement: { externalReference: 'r', operationId: 'op-1', host: '127.0.0.1', port: 8081, acceptedAtMs: 0 },
    status: 'PENDING_EXECUTION',
    restarts: [],
    nextPollDelayMs: 300,
    statusChecks: 0,
    ...overrides,
  };
}

/**
 * Hostile inputs, started the language-neutral way (a raw `workflow.start` by type name, as `temporal workflow start`
 * does, with no client-side validation): each ends FerjeInvalidInput, non-retryable, within seconds (a short workflow
 * task timeout: a task failing in a loop would leave it RUNNING), and nothing reaches Sign'Stash.
 */
describe("Sign'Stash hostile input (raw starts, real dev server)", () => {
  let env: TestWorkflowEnvironment;
  let rig: SignstashRig;
  before(async () => {
    env = await getTestEnv();
    rig = await startRig(env);
  });
  after(async () => {
    const stats = rig.sim.stats();
    await rig.stop();
    // The whole suite: not one token request, start or status call reached the simulator.
    assert.equal(stats.tokenRequests, 0, 'no token was requested');
    assert.equal(stats.starts, 0, 'no operation was started');
    assert.equal(
      stats.instances.reduce((n, i) => n + i.stats.statusCalls + i.stats.detailCalls, 0),
      0,
      'no status call',
    );
  });

  const valid = (label: string): Record<string, unknown> => {
    const ref = uniqueReference(label);
    return {
      clientServiceId: rig.clientServiceId,
      externalReference: ref,
      description: 'd',
      documents: pdfDocuments(ref, 1),
    };
  };

  async function rawFailure(args: unknown[], history?: string): Promise<ApplicationFailure> {
    const workflowId = `signstash-hostile-${uniqueReference('h')}`;
    const failure = await refusedAtStart(env.client, {
      workflowType: signstashWorkflowTypes.signatureOperation,
      taskQueue: rig.taskQueue,
      workflowId,
      args,
      workflowTaskTimeout: '3s',
    });
    if (history) await recordHistory(env.client, workflowId, history);
    return failure;
  }

  const cases: { label: string; args: () => unknown[]; path: string }[] = [
    { label: 'null', args: () => [null], path: '(input)' },
    { label: 'a string', args: () => ['sign this'], path: '(input)' },
    { label: 'an array', args: () => [[valid('arr')]], path: '(input)' },
    { label: 'no argument at all', args: () => [], path: '(input)' },
    { label: 'an empty object', args: () => [{}], path: '/clientServiceId' },
    { label: 'documents as a string', args: () => [{ ...valid('docstr'), documents: 'a.pdf' }], path: '/documents' },
    { label: 'a null document', args: () => [{ ...valid('docnull'), documents: [null] }], path: '/documents/0' },
    {
      label: 'wrong types inside a document',
      args: () => [
        { ...valid('doctypes'), documents: [{ ...pdfDocuments('x', 1)[0], name: 42, contentType: 'image/png' }] },
      ],
      path: '/documents/0/name',
    },
    {
      label: 'content with both base64 and blob',
      args: () => [
        {
          ...valid('both'),
          documents: [
            { ...pdfDocuments('y', 1)[0], content: { base64: 'JVBERg==', blob: { sha256: 'b'.repeat(64), size: 1 } } },
          ],
        },
      ],
      path: '/documents/0/content',
    },
    {
      label: 'a zero instance-lost interval',
      args: () => [{ ...valid('zero'), options: { instanceLostAfterSeconds: 0 } }],
      path: '/options/instanceLostAfterSeconds',
    },
    {
      label: 'an unparsable operation timeout',
      args: () => [{ ...valid('unparsable'), options: { operationTimeoutSeconds: 'ten minutes' } }],
      path: '/options/operationTimeoutSeconds',
    },
    {
      label: 'a negative restart limit',
      args: () => [{ ...valid('negative'), options: { maxRestarts: -1 } }],
      path: '/options/maxRestarts',
    },
    { label: 'options as a list', args: () => [{ ...valid('optlist'), options: ['restart'] }], path: '/options' },
    {
      label: 'a Norwegian national identity number as the reference',
      args: () => [{ ...valid('nin'), externalReference: NORWEGIAN_NUMBER }],
      path: '/externalReference',
    },
    {
      label: 'a Swedish personnummer as a document reference',
      args: () => [{ ...valid('pnr'), documents: [{ ...pdfDocuments('z', 1)[0], externalReference: SWEDISH_NUMBER }] }],
      path: '/documents/0/externalReference',
    },
    {
      label: 'a too-long reference',
      args: () => [{ ...valid('long'), externalReference: 'r'.repeat(121) }],
      path: '/externalReference',
    },
    {
      label: 'a too-long description',
      args: () => [{ ...valid('desc'), description: 'x'.repeat(4001) }],
      path: '/description',
    },
    {
      label: 'a client service id with a path separator',
      args: () => [{ ...valid('svc'), clientServiceId: '../admin' }],
      path: '/clientServiceId',
    },
    { label: 'a forged resume that is not an object', args: () => [{ ...valid('rs'), resume: 'x' }], path: '/resume' },
    {
      label: 'a forged resume with a 0 ms poll delay (tight loop)',
      args: () => [{ ...valid('rs0'), documents: [], resume: resume({ nextPollDelayMs: 0 }) }],
      path: '/resume/nextPollDelayMs',
    },
    {
      label: 'a forged resume with a zero maximum poll delay in its policy',
      args: () => [
        { ...valid('rsp'), documents: [], resume: resume({ policy: { ...resume().policy, maxPollDelayMs: 0 } }) },
      ],
      path: '/resume/policy/maxPollDelayMs',
    },
    {
      label: 'a forged resume pointing at a URL instead of an instance',
      args: () => [
        {
          ...valid('rsh'),
          documents: [],
          resume: resume({ placement: { ...resume().placement, host: 'http://evil.example/', port: 0 } }),
        },
      ],
      path: '/resume/placement/host',
    },
    {
      label: 'a forged resume with wrong types in its restarts',
      args: () => [{ ...valid('rsr'), documents: [], resume: { ...resume(), restarts: [42, 'x'] } }],
      path: '/resume/restarts/0',
    },
  ];

  for (const { label, args, path } of cases) {
    it(`refuses ${label}: FerjeInvalidInput naming ${path}`, async () => {
      const failure = await rawFailure(args(), label === 'null' ? 'signstash-invalid-input-guarded' : undefined);
      assert.equal(failure.type, commonFailureTypes.invalidInput);
      assert.ok(failure.message.includes(path), failure.message);
      assert.ok(!failure.message.includes(NORWEGIAN_NUMBER) && !failure.message.includes(SWEDISH_NUMBER));
    });
  }

  it('refuses the same input on the client already when started through startFlow (nothing reaches Temporal)', async () => {
    const input = { ...valid('client'), externalReference: NORWEGIAN_NUMBER };
    const err = await rig.start(input as never).then(
      () => assert.fail('startFlow should refuse it'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof FlowStartError, String(err));
    assert.equal(err.kind, 'invalid-input');
    assert.deepEqual(
      err.problems.map((p) => p.path),
      ['/externalReference'],
    );
    assert.ok(!err.message.includes(NORWEGIAN_NUMBER));
  });
});
