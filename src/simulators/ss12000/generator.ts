import type { ResourceType } from '../../contract/ss12000';

/** A small seeded PRNG (mulberry32): the same seed gives the same huvudman, so tests and benches are repeatable. */
export class Prng {
  /** Public so a restarted simulator continues the same sequence (see tenant.ts exportState). */
  state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  uuid(): string {
    const hex = (n: number): string => Array.from({ length: n }, () => this.int(16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[this.int(4)]}${hex(3)}-${hex(12)}`;
  }
  digits(n: number): string {
    return Array.from({ length: n }, () => this.int(10)).join('');
  }
}

export interface HuvudmanSize {
  organisations: number;
  persons: number;
  groups: number;
  duties: number;
  activities: number;
}

export const defaultSize: HuvudmanSize = { organisations: 5, persons: 200, groups: 20, duties: 40, activities: 20 };

/** Skolverket's test activity ("provaktivitet") every DNP activity must point at (a fixed, made-up UUID here). */
export const provaktivitetId = '6f1c2e2a-5d1b-4c37-9a53-0f3b8f1a2d11';

const GIVEN = ['Alva', 'Elsa', 'Maja', 'Ebba', 'Saga', 'Liam', 'Noah', 'Hugo', 'Oscar', 'William', 'Astrid', 'Nils'];
const FAMILY = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson'];

export type Entity = Record<string, unknown> & { id: unknown; meta: { created: string; modified: string } };

/** One generated entity; `invalid` breaks a schema or DNP rule in a way that varies with `variant`. */
export function generateEntity(
  type: ResourceType,
  i: number,
  rng: Prng,
  refs: { organisations: string[]; persons: string[]; groups: string[]; duties: string[] },
  stamp: string,
  invalid: boolean,
): Entity {
  const meta = { created: stamp, modified: stamp };
  const id = rng.uuid();
  const variant = rng.int(4);
  switch (type) {
    case 'Organisation': {
      const e: Entity = {
        id,
        meta,
        displayName: `Skolenhet ${i + 1}`,
        schoolUnitCode: rng.digits(8),
        organisationType: 'Skolenhet',
      };
      if (invalid) delete e.schoolUnitCode;
      return e;
    }
    case 'Person': {
      const n = i + 1;
      const schoolYear = 1 + (i % 9);
      const e: Entity = {
        id,
        meta,
        givenName: rng.pick(GIVEN),
        familyName: rng.pick(FAMILY),
        eduPersonPrincipalNames: [`elev${n}@skola.example`],
        civicNo: { value: `20${10 + (i % 10)}0${1 + (i % 9)}1${i % 10}${rng.digits(4)}`, nationality: 'SE' },
        securityMarking: 'Ingen',
        emails: [{ value: `elev${n}@skola.example`, type: 'Skola elev' }],
        enrolments: [{ enroledAt: { id: rng.pick(refs.organisations) }, schoolType: 'GR', schoolYear }],
      };
      if (invalid) {
        if (variant === 0) delete e.civicNo;
        else if (variant === 1) e.civicNo = { value: 'ej-ett-nummer' };
        else if (variant === 2)
          e.enrolments = [{ enroledAt: { id: rng.pick(refs.organisations) }, schoolType: 'GR', schoolYear: 0 }];
        else e.id = `elev-${n}`;
      }
      return e;
    }
    case 'Group': {
      const members = Array.from({ length: Math.min(20, refs.persons.length) }, () => ({
        id: rng.uuid(),
        person: { id: rng.pick(refs.persons) },
      }));
      const e: Entity = {
        id,
        meta,
        displayName: `${1 + (i % 9)}${'ABCD'[i % 4]}`,
        groupType: i % 2 === 0 ? 'Klass' : 'Undervisning',
        schoolType: 'GR',
        organisation: { id: rng.pick(refs.organisations) },
        groupMemberships: members,
      };
      if (invalid) {
        if (variant % 2 === 0) e.groupType = 'Mentor';
        else delete e.organisation;
      }
      return e;
    }
    case 'Duty': {
      const e: Entity = {
        id,
        meta,
        person: { id: rng.pick(refs.persons) },
        dutyAt: { id: rng.pick(refs.organisations) },
        dutyRole: i % 10 === 0 ? 'Rektor' : 'Lärare',
      };
      if (invalid) e.dutyRole = variant % 2 === 0 ? 'Trollkarl' : 42;
      return e;
    }
    case 'Activity': {
      const e: Entity = {
        id,
        meta,
        displayName: `Matematik ${i + 1}`,
        activityType: 'Undervisning',
        groups: [{ id: rng.pick(refs.groups) }],
        teachers: refs.duties.length > 0 ? [{ duty: { id: rng.pick(refs.duties) } }] : [],
        organisation: { id: rng.pick(refs.organisations) },
        parentActivity: { id: provaktivitetId },
      };
      if (invalid) {
        if (variant % 2 === 0) e.groups = [];
        else delete e.parentActivity;
      }
      return e;
    }
  }
}
