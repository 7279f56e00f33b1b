import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateSigningKey, JwtRejectedError, signJwt, verifyJwt } from '../../../src/integrations/ss12000/jwt';
import { parseWebhookBody } from '../../../src/modules/ss12000/ingress-route';
import { EntityValidator } from '../../../src/integrations/ss12000/validation';
import { checkAccess, WebhookUnauthorizedError } from '../../../src/integrations/ss12000/webhook-auth';

const key = generateSigningKey('k1');
const now = Math.floor(Date.now() / 1000);
const verify = (token: string) =>
  verifyJwt(token, {
    keyFor: async (kid) => (kid === 'k1' ? key.publicJwk : undefined),
    issuer: 'iss',
    audience: 'nutid',
  });

describe('ES256 JWT verification', () => {
  it('accepts a valid token and rejects tampering, expiry, issuer, audience and other algorithms', async () => {
    const good = signJwt(key, { iss: 'iss', aud: 'nutid', exp: now + 60 });
    assert.equal((await verify(good)).iss, 'iss');
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ iss: 'iss', aud: 'nutid', exp: now + 9999 })).toString('base64url')}.${s}`;
    await assert.rejects(verify(tampered), (e: JwtRejectedError) => e.reason === 'signature');
    await assert.rejects(
      verify(signJwt(key, { iss: 'iss', aud: 'nutid', exp: now - 120 })),
      (e: JwtRejectedError) => e.reason === 'expired',
    );
    await assert.rejects(
      verify(signJwt(key, { iss: 'x', aud: 'nutid', exp: now + 60 })),
      (e: JwtRejectedError) => e.reason === 'issuer',
    );
    await assert.rejects(
      verify(signJwt(key, { iss: 'iss', aud: 'x', exp: now + 60 })),
      (e: JwtRejectedError) => e.reason === 'audience',
    );
    const none = `${Buffer.from('{"alg":"none","kid":"k1"}').toString('base64url')}.${p}.`;
    await assert.rejects(verify(none), (e: JwtRejectedError) => e.reason === 'algorithm');
    await assert.rejects(
      verify(signJwt(generateSigningKey('k2'), { iss: 'iss', aud: 'nutid', exp: now + 60 })),
      (e: JwtRejectedError) => e.reason === 'unknown-key',
    );
  });
});

describe('webhook body', () => {
  it('reads both spellings of modifiedEntities and the deletion flag, ignoring unknown types', () => {
    const a = parseWebhookBody(
      Buffer.from('{"modifiedEntites":["Person","Absence"],"modifiedEntities":["Group","Person"]}'),
      't',
    );
    assert.deepEqual(a.modifiedTypes.sort(), ['Group', 'Person']);
    assert.equal(a.deleted, false);
    assert.equal(parseWebhookBody(Buffer.from('{"deletedEntities":true}'), 't').deleted, true);
  });
});

describe('entity validation (reference schemas + DNP rules)', () => {
  const v = new EntityValidator();
  const person = {
    id: '0b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
    givenName: 'A',
    familyName: 'B',
    eduPersonPrincipalNames: ['a@b'],
    civicNo: { value: '201001011234' },
    enrolments: [{ enroledAt: { id: '1b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }, schoolType: 'GR', schoolYear: 3 }],
  };
  it('accepts a valid person and reports problems by path, never by value', () => {
    assert.equal(v.validate('Person', person).valid, true);
    const bad = v.validate('Person', { ...person, civicNo: { value: '19850101-1234' } });
    assert.equal(bad.valid, false);
    assert.ok(!bad.valid && bad.problems.every((p) => !p.includes('19850101')));
    const noId = v.validate('Person', { ...person, id: 'x' });
    assert.ok(!noId.valid && noId.id === undefined, 'no trusted id: the log entry gets a random one');
    const gr0 = v.validate('Person', { ...person, enrolments: [{ ...person.enrolments[0], schoolYear: 0 }] });
    assert.ok(!gr0.valid && gr0.messageType === 'DnpRule');
  });
  it('marks group types DNP does not use as out of scope (warning)', () => {
    const g = v.validate('Group', {
      id: '2b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      displayName: '7A',
      groupType: 'Mentor',
      schoolType: 'GR',
      organisation: { id: '1b7f6a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' },
    });
    assert.ok(!g.valid && g.severity === 'Warning' && g.messageType === 'OutOfDnpScope');
  });
});

describe('webhook requested_access rule', () => {
  const loc = 'https://api.skolverket.se/provtjanst/ss12000/klient/v1';
  const entry = (type: string, l = loc) => ({ requested_access: [{ type, locations: [l] }] });
  const cases: [string, Record<string, unknown>, boolean, boolean][] = [
    // name, claims, accepted lenient, accepted strict
    ['no requested_access (the reference notifier)', {}, true, false],
    ['an empty list', { requested_access: [] }, true, false],
    ['ss12000-client for our location', entry('ss12000-client'), true, true],
    ['ss12000-client with a trailing slash', entry('ss12000-client', `${loc}/`), true, true],
    ['ss12000-client for another client', entry('ss12000-client', 'https://other.example/klient'), false, false],
    ['only ss12000-api (a token for something else)', entry('ss12000-api'), false, false],
    ['not a list', { requested_access: 'ss12000-client' }, false, false],
  ];
  for (const [name, claims, lenient, strict] of cases) {
    it(`${name}: ${lenient ? 'taken' : 'refused'} lenient, ${strict ? 'taken' : 'refused'} strict`, () => {
      for (const [requireAccess, accepted] of [
        [false, lenient],
        [true, strict],
      ] as const) {
        const run = () => checkAccess(claims, loc, requireAccess);
        if (accepted) assert.doesNotThrow(run);
        else assert.throws(run, WebhookUnauthorizedError);
      }
    });
  }
});
