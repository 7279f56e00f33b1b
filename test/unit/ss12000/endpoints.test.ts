import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCallbackUrl, resolveApiBaseUrl } from '../../../activities/ss12000/endpoints';
import {
  validateSs12000SubscriptionInput,
  validateSs12000SyncPassInput,
  validateSs12000WebhookSignal,
} from '../../../src/contract/ss12000';

const endpoints = {
  huvudmanApis: { 'kommun-a': 'https://api.kommun-a.example/ss12000-api/v2.0' },
  allowedApiUrls: ['https://sim.example/hm/'],
  allowedCallbackUrls: ['https://ap.example/registrations'],
};

describe('SS12000 partner endpoints from configuration only', () => {
  it('uses the configured API of a huvudman and refuses any other one named in the input', () => {
    assert.deepEqual(resolveApiBaseUrl(endpoints, 'kommun-a', undefined), {
      apiBaseUrl: 'https://api.kommun-a.example/ss12000-api/v2.0',
    });
    assert.deepEqual(resolveApiBaseUrl(endpoints, 'kommun-a', 'https://api.kommun-a.example/ss12000-api/v2.0/'), {
      apiBaseUrl: 'https://api.kommun-a.example/ss12000-api/v2.0',
    });
    assert.match(
      resolveApiBaseUrl(endpoints, 'kommun-a', 'https://sim.example/hm/kommun-a').problem?.problem ?? '',
      /differs from the API configured/,
    );
  });

  it('allows an unlisted huvudman only under an allowed URL, on a path boundary, without user info', () => {
    assert.equal(resolveApiBaseUrl(endpoints, 'b', 'https://sim.example/hm/b').apiBaseUrl, 'https://sim.example/hm/b');
    for (const url of [
      'https://sim.example/hmx/b',
      'https://sim.example.evil/hm/b',
      'http://sim.example/hm/b',
      'https://user:pw@sim.example/hm/b',
      'https://sim.example/hm/../admin',
      'not a url',
    ])
      assert.ok(resolveApiBaseUrl(endpoints, 'b', url).problem, url);
    assert.match(resolveApiBaseUrl(endpoints, 'b', undefined).problem?.problem ?? '', /no API is configured/);
  });

  it('allows callbacks only under the allowed callback URLs', () => {
    assert.equal(checkCallbackUrl(endpoints, undefined), undefined);
    assert.equal(checkCallbackUrl(endpoints, 'https://ap.example/registrations/42'), undefined);
    assert.ok(checkCallbackUrl(endpoints, 'https://ap.example/other'));
    assert.ok(checkCallbackUrl({ ...endpoints, allowedCallbackUrls: [] }, 'https://ap.example/registrations'));
  });
});

describe('SS12000 input validators', () => {
  const valid = { huvudman: 'kommun-a', organisationId: 'SE2120000001' };
  it('accept a minimal valid input and the fractions tests use for short waits', () => {
    assert.deepEqual(validateSs12000SubscriptionInput(valid), []);
    assert.deepEqual(
      validateSs12000SubscriptionInput({ ...valid, options: { retryFailedPassMinutes: 0.2, webhookQuietSeconds: 0 } }),
      [],
    );
  });

  it('name the fields, never the values', () => {
    const problems = validateSs12000SubscriptionInput({
      ...valid,
      huvudman: '198112189876',
      options: { pageLimit: 2.5 },
    });
    assert.deepEqual(
      problems.map((p) => p.path),
      ['huvudman', 'options/pageLimit'],
    );
    assert.ok(problems.every((p) => !p.problem.includes('198112189876')));
  });

  it('refuse a pass whose resume state does not fit its steps, and malformed webhook signals', () => {
    const pass = {
      huvudman: 'a',
      passNumber: 1,
      kind: 'full',
      steps: ['Person'],
      keptTypes: ['Person'],
      since: {},
      pageLimit: 10,
    };
    assert.deepEqual(validateSs12000SyncPassInput(pass), []);
    assert.deepEqual(
      validateSs12000SyncPassInput({ ...pass, resume: { outcomes: [], stepIndex: 0, pageToken: '' } }).map(
        (p) => p.path,
      ),
      ['resume/pageToken'],
    );
    assert.deepEqual(
      validateSs12000WebhookSignal({ modifiedTypes: ['Person'], deleted: true, receivedAt: '2026-01-01T00:00:00Z' }),
      [],
    );
    assert.deepEqual(
      validateSs12000WebhookSignal({ modifiedTypes: ['Person', 'x'], deleted: 'yes' }).map((p) => p.path),
      ['modifiedTypes', 'deleted', 'receivedAt'],
    );
  });
});
