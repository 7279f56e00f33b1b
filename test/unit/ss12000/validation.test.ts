import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceTypes, type ResourceType } from '../../../src/contract/ss12000';
import { EntityValidator, type ValidationResult } from '../../../src/integrations/ss12000/validation';
import { generateEntity, Prng, type Entity } from '../../../src/simulators/ss12000/generator';

type Failure = Extract<ValidationResult, { valid: false }>;

const validator = new EntityValidator();
const stamp = '2025-03-01T08:00:00.000Z';
const rng = new Prng(12000);
const refs = { organisations: [rng.uuid()], persons: [rng.uuid()], groups: [rng.uuid()], duties: [rng.uuid()] };

/** A valid entity of `type` in the shape the simulator serves (`i` picks e.g. Klass/Undervisning for groups). */
const valid = (type: ResourceType, i = 0): Entity => generateEntity(type, i, rng, refs, stamp, false);
const person = (changes: Record<string, unknown> = {}): Entity => ({ ...valid('Person'), ...changes });
const enrolled = (enrolment: Record<string, unknown>): Entity =>
  person({ enrolments: [{ enroledAt: { id: refs.organisations[0] }, ...enrolment }] });

function failure(result: ValidationResult): Failure {
  if (result.valid) assert.fail('expected the entity to be rejected');
  return result;
}

/** Asserts a broken DNP rule (an error) whose problems are exactly `problems`. */
function assertDnpRule(entity: Entity, problems: string[]): void {
  const f = failure(validator.validate('Person', entity));
  assert.equal(f.severity, 'Error');
  assert.equal(f.messageType, 'DnpRule');
  assert.equal(f.id, entity.id);
  assert.deepEqual(f.problems, problems);
}

describe('EntityValidator: valid entities', () => {
  it('accepts a valid entity of each of the five types and returns its id lowercased and meta.modified', () => {
    for (const type of resourceTypes) {
      const entity = valid(type);
      const id = String(entity.id);
      const result = validator.validate(type, { ...entity, id: id.toUpperCase() });
      assert.deepEqual(result, { valid: true, id: id.toLowerCase(), modified: stamp }, type);
    }
  });

  it('accepts both group types DNP uses (Klass and Undervisning)', () => {
    const types = [0, 1].map((i) => valid('Group', i).groupType);
    assert.deepEqual(types, ['Klass', 'Undervisning']);
    for (const i of [0, 1]) assert.equal(validator.validate('Group', valid('Group', i)).valid, true);
  });

  it('returns no modified time for an entity without meta', () => {
    const { meta: _meta, ...organisation } = valid('Organisation');
    assert.deepEqual(validator.validate('Organisation', organisation), {
      valid: true,
      id: organisation.id,
      modified: undefined,
    });
  });
});

describe('EntityValidator: schema violations', () => {
  it('reports a missing required field as an Error of type SchemaValidation, by path and rule', () => {
    const { schoolUnitCode: _code, ...organisation } = valid('Organisation');
    const f = failure(validator.validate('Organisation', organisation));
    assert.equal(f.severity, 'Error');
    assert.equal(f.messageType, 'SchemaValidation');
    assert.equal(f.id, organisation.id);
    assert.deepEqual(f.problems, ["/ must have required property 'schoolUnitCode'"]);
  });

  it('reports wrong types and bad references as SchemaValidation before any DNP rule runs', () => {
    const duty = failure(validator.validate('Duty', { ...valid('Duty'), dutyRole: 42 }));
    assert.equal(duty.messageType, 'SchemaValidation');
    assert.deepEqual(duty.problems, ['/dutyRole must be string']);
    const group = failure(validator.validate('Group', { ...valid('Group'), groupType: 'Lag' }));
    assert.equal(group.severity, 'Error', 'a group type outside the SS12000 enum is an error, not a DNP warning');
    assert.equal(group.messageType, 'SchemaValidation');
    const activity = failure(validator.validate('Activity', { ...valid('Activity'), organisation: { id: 'skola-1' } }));
    assert.equal(activity.messageType, 'SchemaValidation');
    assert.deepEqual(activity.problems, ['/organisation/id must match format "uuid"']);
  });

  it('gives no id when the entity id is not a UUID, so the log entry gets a random one', () => {
    const f = failure(validator.validate('Person', person({ id: 'elev-1' })));
    assert.equal(f.id, undefined);
    assert.equal(f.messageType, 'SchemaValidation');
    assert.ok(f.problems.includes('/id must match format "uuid"'));
  });

  it('rejects a urn:uuid: id (which the uuid format lets through) instead of passing on an unstorable entity', () => {
    const organisation = valid('Organisation');
    const f = failure(
      validator.validate('Organisation', { ...organisation, id: `urn:uuid:${String(organisation.id)}` }),
    );
    assert.equal(f.id, undefined);
    assert.equal(f.severity, 'Error');
    assert.equal(f.messageType, 'SchemaValidation');
    assert.deepEqual(f.problems, ['/id must be a plain UUID']);
  });
});

describe('EntityValidator: DNP rules for Person', () => {
  it('requires exactly one eduPersonPrincipalName', () => {
    assertDnpRule(person({ eduPersonPrincipalNames: ['a@skola.example', 'b@skola.example'] }), [
      '/eduPersonPrincipalNames must have exactly one item',
    ]);
  });

  it('requires civicNo to be 12 digits without separator', () => {
    const problem = '/civicNo/value must be 12 digits (or a temporary number YYYYMMDD + 2 letters + 2 digits)';
    for (const value of ['20100101-1234', '1001011234', '2010010112345']) {
      assertDnpRule(person({ civicNo: { value } }), [problem]);
    }
  });

  it('accepts a personnummer, a samordningsnummer and a temporary number YYYYMMDD + 2 letters + 2 digits', () => {
    for (const value of ['201001011234', '201001611234', '20100101TF12']) {
      assert.equal(validator.validate('Person', person({ civicNo: { value, nationality: 'SE' } })).valid, true, value);
    }
  });

  it('requires every e-mail type to be one of the SS12000 types (null type is allowed)', () => {
    const emails = [
      { value: 'a@skola.example', type: 'Skola personal' },
      { value: 'b@skola.example', type: null },
      { value: 'c@skola.example', type: 'Jobb' },
    ];
    assertDnpRule(person({ emails }), ['/emails/2/type must be one of the SS12000 e-mail types']);
    assert.equal(validator.validate('Person', person({ emails: emails.slice(0, 2) })).valid, true);
  });

  it('allows at most one external identifier, with context https://eduid.se', () => {
    const eduid = { value: 'x@eduid.se', context: 'https://eduid.se', globallyUnique: true };
    const other = { value: 'x@idp.example', context: 'https://idp.example', globallyUnique: true };
    assert.equal(validator.validate('Person', person({ externalIdentifiers: [eduid] })).valid, true);
    assertDnpRule(person({ externalIdentifiers: [eduid, eduid] }), ['/externalIdentifiers must have at most one item']);
    assertDnpRule(person({ externalIdentifiers: [other] }), [
      '/externalIdentifiers/0/context must be https://eduid.se',
    ]);
  });

  it('requires the enrolment schoolType to be one DNP uses (GR, SP, SAM, GY, VUXGY)', () => {
    assertDnpRule(enrolled({ schoolType: 'FS' }), ['/enrolments/0/schoolType must be GR, SP, SAM, GY or VUXGY']);
  });

  it('requires schoolYear 1-10 for GR, SP and SAM', () => {
    assertDnpRule(enrolled({ schoolType: 'GR', schoolYear: 0 }), ['/enrolments/0/schoolYear must be 1-10 for GR']);
    assertDnpRule(enrolled({ schoolType: 'SP' }), ['/enrolments/0/schoolYear must be 1-10 for SP']);
    assertDnpRule(enrolled({ schoolType: 'SAM', schoolYear: 2.5 }), ['/enrolments/0/schoolYear must be 1-10 for SAM']);
    for (const enrolment of [
      { schoolType: 'GR', schoolYear: 1 },
      { schoolType: 'SP', schoolYear: 10 },
      { schoolType: 'SAM', schoolYear: 4 },
    ]) {
      assert.equal(validator.validate('Person', enrolled(enrolment)).valid, true, JSON.stringify(enrolment));
    }
  });

  it('does not require a schoolYear for GY or VUXGY', () => {
    assert.equal(validator.validate('Person', enrolled({ schoolType: 'GY', educationCode: 'NA' })).valid, true);
    assert.equal(validator.validate('Person', enrolled({ schoolType: 'VUXGY' })).valid, true);
  });

  it('reports every broken rule of one person together', () => {
    const f = failure(
      validator.validate(
        'Person',
        person({ eduPersonPrincipalNames: ['a', 'b'], emails: [{ value: 'e', type: 'X' }] }),
      ),
    );
    assert.deepEqual(f.problems, [
      '/eduPersonPrincipalNames must have exactly one item',
      '/emails/0/type must be one of the SS12000 e-mail types',
    ]);
  });
});

describe('EntityValidator: DNP scope and rules for Group, Duty and Activity', () => {
  it('marks a group type DNP does not use as a Warning of type OutOfDnpScope', () => {
    const group = valid('Group');
    const f = failure(validator.validate('Group', { ...group, groupType: 'Mentor' }));
    assert.deepEqual(
      { id: f.id, severity: f.severity, messageType: f.messageType },
      { id: group.id, severity: 'Warning', messageType: 'OutOfDnpScope' },
    );
    assert.deepEqual(f.problems, ['/groupType is not used by DNP (only Klass and Undervisning)']);
  });

  it('marks an activity whose activityType is not Undervisning as a Warning of type OutOfDnpScope', () => {
    const f = failure(validator.validate('Activity', { ...valid('Activity'), activityType: 'Elevens val' }));
    assert.equal(f.severity, 'Warning');
    assert.equal(f.messageType, 'OutOfDnpScope');
    assert.deepEqual(f.problems, ['/activityType is not used by DNP (only Undervisning)']);
  });

  it('rejects an activity without groups as a DnpRule error (only a warning when it is out of scope anyway)', () => {
    const f = failure(validator.validate('Activity', { ...valid('Activity'), groups: [] }));
    assert.equal(f.severity, 'Error');
    assert.equal(f.messageType, 'DnpRule');
    assert.deepEqual(f.problems, ['/groups must have at least one item']);
    const outOfScope = failure(
      validator.validate('Activity', { ...valid('Activity'), groups: [], activityType: 'Raster' }),
    );
    assert.equal(outOfScope.messageType, 'OutOfDnpScope');
  });

  it('rejects a duty role outside the SS12000 list as a DnpRule error', () => {
    const f = failure(validator.validate('Duty', { ...valid('Duty'), dutyRole: 'Trollkarl' }));
    assert.equal(f.severity, 'Error');
    assert.equal(f.messageType, 'DnpRule');
    assert.deepEqual(f.problems, ['/dutyRole must be one of the SS12000 duty roles']);
  });
});

describe('EntityValidator: personal data stays out of the problems', () => {
  const civicNo = '19991231-XQ77';
  const markers = [civicNo, 'Markörnamn', 'Markörsson', 'marker.person@leak.example', 'marker-eppn', 'marker-eduid'];
  const assertNoMarkers = (f: Failure): void => {
    const reported = JSON.stringify(f);
    for (const marker of markers) assert.ok(!reported.includes(marker), `${marker} leaked into ${reported}`);
  };

  it('never puts civic number, name or e-mail into the problems of a person breaking DNP rules', () => {
    const f = failure(
      validator.validate(
        'Person',
        person({
          givenName: 'Markörnamn',
          familyName: 'Markörsson',
          civicNo: { value: civicNo },
          eduPersonPrincipalNames: ['marker-eppn-1', 'marker-eppn-2'],
          emails: [{ value: 'marker.person@leak.example', type: 'marker.person@leak.example' }],
          externalIdentifiers: [{ value: 'marker-eduid', context: 'marker-eduid', globallyUnique: true }],
        }),
      ),
    );
    assert.equal(f.messageType, 'DnpRule');
    assert.equal(f.problems.length, 4);
    assertNoMarkers(f);
  });

  it('never puts civic number, name or e-mail into the problems of a person failing the schema', () => {
    const f = failure(
      validator.validate(
        'Person',
        person({
          id: 'marker-eppn-as-id',
          givenName: 'Markörnamn',
          familyName: ['Markörsson'],
          civicNo: { value: civicNo, nationality: 46 },
          securityMarking: 'Markörnamn',
          eduPersonPrincipalNames: [],
          emails: [{ value: 'marker.person@leak.example', type: 7 }],
        }),
      ),
    );
    assert.equal(f.messageType, 'SchemaValidation');
    assert.ok(f.problems.length >= 5, f.problems.join('; '));
    assertNoMarkers(f);
  });
});
