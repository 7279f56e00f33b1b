import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { refusedAtStart } from '../../harness/hostile-start';
import { ss12000WebhookSignal, ss12000WorkflowTypes, type Ss12000WebhookSignal } from '../../../src/contract/ss12000';
import { getTestEnv } from '../../harness/temporal';
import { idleAfter, startFixture, type Ss12000Fixture } from './harness';

/**
 * Hostile input to both SS12000 workflow types, started the language-neutral way (a raw `workflow.start` by type
 * name, as `temporal workflow start --input …` would). Every case must end within seconds as a typed,
 * non-retryable failure, with no request to the huvudman API, its token server, AP, or any URL a caller named.
 */
describe('SS12000 hostile input (real dev server, simulator and loopback trap)', () => {
  let f: Ss12000Fixture;
  let trap: Server;
  let trapUrl: string;
  const trapped: string[] = [];
  before(async () => {
    f = await startFixture(await getTestEnv());
    f.addHuvudman({ name: 'hostile', size: { persons: 5 } });
    trap = createServer((req, res) => {
      trapped.push(`${req.method} ${req.url}`);
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"x","expires":"2030-01-01T00:00:00Z"}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => trap.close(resolve));
    await f.stop();
  });

  let n = 0;
  async function failureOf(type: string, args: unknown[]): Promise<ApplicationFailure> {
    const before = { sim: f.sim.received.length, ap: f.ap.received.length };
    const failure = await refusedAtStart(f.client, {
      workflowType: type,
      taskQueue: f.taskQueue,
      workflowId: `ss12000-hostile-${++n}`,
      args,
      withinMs: 30_000,
    });
    assert.equal(f.sim.received.length, before.sim, 'no request to the huvudman API or its token server');
    assert.equal(f.ap.received.length, before.ap, 'no callback to AP');
    assert.deepEqual(trapped, [], 'no request to a URL the caller named');
    return failure;
  }

  const valid = () => ({ huvudman: 'hostile', organisationId: 'SE2120000001', apiBaseUrl: f.sim.baseUrl('hostile') });
  const subscription = ss12000WorkflowTypes.subscription;
  const invalid = 'FerjeInvalidInput';

  const subscriptionCases: [string, () => unknown[], RegExp][] = [
    ['null', () => [null], /\(input\) must be an object/],
    ['a string', () => ['hostile'], /must be an object/],
    ['an array', () => [[valid()]], /must be an object/],
    ['no argument at all', () => [], /must be an object/],
    ['an empty object', () => [{}], /huvudman .*; organisationId/],
    ['a personnummer as huvudman', () => [{ ...valid(), huvudman: '198112189876' }], /national identity number/],
    ['a 500-character huvudman', () => [{ ...valid(), huvudman: 'h'.repeat(500) }], /huvudman must be 1-100/],
    ['a 0-minute safety pass', () => [{ ...valid(), options: { safetyPassMinutes: 0 } }], /safetyPassMinutes/],
    ['a page limit of 0', () => [{ ...valid(), options: { pageLimit: 0 } }], /options\/pageLimit/],
    ['an unparsable page limit', () => [{ ...valid(), options: { pageLimit: 'many' } }], /options\/pageLimit/],
    ['a negative renewal margin', () => [{ ...valid(), options: { renewBeforeExpiryHours: -1 } }], /renewBefore/],
    ['options that are not an object', () => [{ ...valid(), options: 'fast' }], /options must be an object/],
    ['a number among the resource types', () => [{ ...valid(), resourceTypes: ['Person', 42] }], /resourceTypes/],
    [
      'forged carried state (not subscribed, another huvudman)',
      () => [{ ...valid(), carried: { registration: { huvudman: 'other', status: 'PENDING' } } }],
      /carried\/registration\/huvudman must equal huvudman; carried\/registration\/status must be SUBSCRIBED/,
    ],
    [
      'carried state with an unknown pending step',
      () => [
        {
          ...valid(),
          carried: {
            registration: { huvudman: 'hostile', status: 'SUBSCRIBED' },
            subscription: { id: 's', target: 'https://ferje.example/x' },
            types: {},
            pending: { steps: ['Nope'], kind: 'webhook' },
            passNumber: 0,
            webhooksReceived: 0,
            webhooksCoalesced: 0,
            consecutiveFailures: 0,
            renewals: 0,
            recreations: 0,
          },
        },
      ],
      /carried\/pending\/steps/,
    ],
    ['a non-http API URL', () => [{ ...valid(), apiBaseUrl: 'ftp://nope' }], /apiBaseUrl must be an absolute http/],
    [
      'an API URL that is not the configured one',
      () => [{ ...valid(), apiBaseUrl: `${trapUrl}/ss12000-api/v2.0` }],
      /apiBaseUrl is not under an allowed API URL/,
    ],
    [
      'a callback URL that is not allowed',
      () => [{ ...valid(), registrationCallbackUrl: `${trapUrl}/steal` }],
      /registrationCallbackUrl is not under an allowed callback URL/,
    ],
  ];
  for (const [label, args, message] of subscriptionCases) {
    it(`subscription: ${label} → ${invalid}, nothing sent`, async () => {
      const failure = await failureOf(subscription, args());
      assert.equal(failure.type, invalid);
      assert.match(failure.message, message);
      assert.doesNotMatch(failure.message, /198112189876/, 'the value itself is never echoed');
    });
  }

  const pass = () => ({
    huvudman: 'hostile',
    apiBaseUrl: f.sim.baseUrl('hostile'),
    passNumber: 1,
    kind: 'full',
    steps: ['Person', 'Deleted'],
    keptTypes: ['Person'],
    since: {},
    pageLimit: 100,
  });
  const passCases: [string, () => unknown[], RegExp][] = [
    ['null', () => [null], /must be an object/],
    ['no steps', () => [{ ...pass(), steps: [] }], /steps must name at least one step/],
    ['a page limit of 0', () => [{ ...pass(), pageLimit: 0 }], /pageLimit must be an integer from 1/],
    ['an unparsable since', () => [{ ...pass(), since: { Person: 'yesterday' } }], /since\/Person must be an ISO/],
    [
      'a forged resume beyond the steps',
      () => [{ ...pass(), resume: { outcomes: [], stepIndex: 7, pageToken: 'p' } }],
      /resume\/stepIndex must be an integer from 0 to 1/,
    ],
    [
      'a resume whose outcomes do not match the steps',
      () => [
        {
          ...pass(),
          resume: {
            stepIndex: 1,
            outcomes: [
              { step: 'Group', status: 'SUCCEEDED', pages: -1, fetched: 0, stored: 0, invalid: 0, deleted: 0 },
            ],
          },
        },
      ],
      /resume\/outcomes\/0\/pages .*resume\/outcomes\/0\/step must match steps/,
    ],
  ];
  for (const [label, args, message] of passCases) {
    it(`sync pass: ${label} → ${invalid}, nothing sent`, async () => {
      const failure = await failureOf(ss12000WorkflowTypes.syncPass, args());
      assert.equal(failure.type, invalid);
      assert.match(failure.message, message);
    });
  }

  it('sync pass: an API URL that is not the configured one → Ss12000SyncPassFailed caused by FerjeInvalidInput', async () => {
    const failure = await failureOf(ss12000WorkflowTypes.syncPass, [{ ...pass(), apiBaseUrl: `${trapUrl}/api` }]);
    assert.equal(failure.type, 'Ss12000SyncPassFailed');
    assert.match(failure.message, /Refused SS12000 endpoint: apiBaseUrl is not under an allowed API URL/);
  });

  it('subscription: malformed webhook signals are counted and ignored; the flow keeps running', async () => {
    const workflowId = await f.start('hostile');
    await f.waitFor('hostile', idleAfter(1));
    const handle = f.client.workflow.getHandle(workflowId);
    const requests = f.sim.received.length;
    for (const bad of [null, { modifiedTypes: 'Person', deleted: false, receivedAt: 'now' }, { modifiedTypes: [7] }])
      await handle.signal(ss12000WebhookSignal, bad as unknown as Ss12000WebhookSignal);
    const status = await f.waitFor('hostile', (s) => s.webhooksRejected === 3);
    assert.equal(status.webhooksReceived, 0);
    assert.deepEqual(status.pending.steps, []);
    assert.notEqual(status.phase, 'FAILED');
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    assert.equal(f.sim.received.length, requests, 'a rejected signal causes no fetch');
    await handle.cancel();
  });
});
