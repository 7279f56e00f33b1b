import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ResourceType } from '../../contract/ss12000';
import activitySchema from './schemas/reference/activity.schema.json';
import dutyAssignmentSchema from './schemas/reference/duty-assignment.schema.json';
import dutySchema from './schemas/reference/duty.schema.json';
import emailSchema from './schemas/reference/email.schema.json';
import enrolmentSchema from './schemas/reference/enrolment.schema.json';
import groupMembershipSchema from './schemas/reference/group-membership.schema.json';
import groupSchema from './schemas/reference/group.schema.json';
import objectReferenceSchema from './schemas/reference/object-reference.schema.json';
import organisationSchema from './schemas/reference/organisation.schema.json';
import personCivicNoSchema from './schemas/reference/person-civic-no.schema.json';
import personSchema from './schemas/reference/person.schema.json';

export type ValidationResult =
  | { valid: true; id: string; modified?: string }
  | {
      valid: false;
      /** The entity's id when it is a UUID; absent otherwise. Not reported: the log entry gets a random one. */
      id?: string;
      /** `Error` for schema violations and broken DNP rules, `Warning` for types DNP does not use. */
      severity: 'Error' | 'Warning';
      messageType: string;
      /** JSON paths and rule names only: never a value from the entity (it may be personal data). */
      problems: string[];
    };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Personnummer or samordningsnummer (12 digits), or a temporary number YYYYMMDD + two letters + two digits.
const CIVIC_NO = /^(\d{12}|\d{8}[A-Z]{2}\d{2})$/;
const DNP_SCHOOL_TYPES = new Set(['GR', 'SP', 'SAM', 'GY', 'VUXGY']);
const SCHOOL_YEAR_REQUIRED = new Set(['GR', 'SP', 'SAM']);
const EMAIL_TYPES = new Set(['Privat', 'Skola elev', 'Skola personal', 'Arbete övrigt']);
const DNP_GROUP_TYPES = new Set(['Klass', 'Undervisning']);
const DUTY_ROLES = new Set([
  'Rektor',
  'Lärare',
  'Förskollärare',
  'Barnskötare',
  'Bibliotekarie',
  'Lärarassistent',
  'Fritidspedagog',
  'Annan personal',
  'Studie- och yrkesvägledare',
  'Förstelärare',
  'Kurator',
  'Skolsköterska',
  'Skolläkare',
  'Skolpsykolog',
  'Speciallärare/specialpedagog',
  'Skoladministratör',
  'Övrig arbetsledning',
  'Övrig pedagogisk personal',
  'Förskolechef',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** DNP's data-quality rules beyond the reference schemas (digest §1.5, from the Provisioning API). */
const dnpRules: Record<ResourceType, (e: Obj) => { problems: string[]; outOfScope?: boolean }> = {
  Organisation: () => ({ problems: [] }),
  Person: (e) => {
    const problems: string[] = [];
    if (arr(e.eduPersonPrincipalNames).length > 1) problems.push('/eduPersonPrincipalNames must have exactly one item');
    const civicNo = isObj(e.civicNo) ? e.civicNo.value : undefined;
    if (typeof civicNo === 'string' && !CIVIC_NO.test(civicNo)) {
      problems.push('/civicNo/value must be 12 digits (or a temporary number YYYYMMDD + 2 letters + 2 digits)');
    }
    arr(e.emails).forEach((email, i) => {
      if (isObj(email) && typeof email.type === 'string' && !EMAIL_TYPES.has(email.type)) {
        problems.push(`/emails/${i}/type must be one of the SS12000 e-mail types`);
      }
    });
    const ids = arr(e.externalIdentifiers);
    if (ids.length > 1) problems.push('/externalIdentifiers must have at most one item');
    ids.forEach((x, i) => {
      if (isObj(x) && x.context !== 'https://eduid.se')
        problems.push(`/externalIdentifiers/${i}/context must be https://eduid.se`);
    });
    arr(e.enrolments).forEach((en, i) => {
      if (!isObj(en) || typeof en.schoolType !== 'string') return;
      if (!DNP_SCHOOL_TYPES.has(en.schoolType))
        problems.push(`/enrolments/${i}/schoolType must be GR, SP, SAM, GY or VUXGY`);
      if (SCHOOL_YEAR_REQUIRED.has(en.schoolType)) {
        const year = en.schoolYear;
        if (typeof year !== 'number' || !Number.isInteger(year) || year < 1 || year > 10) {
          problems.push(`/enrolments/${i}/schoolYear must be 1-10 for ${en.schoolType}`);
        }
      }
    });
    return { problems };
  },
  Group: (e) =>
    typeof e.groupType === 'string' && !DNP_GROUP_TYPES.has(e.groupType)
      ? { problems: ['/groupType is not used by DNP (only Klass and Undervisning)'], outOfScope: true }
      : { problems: [] },
  Duty: (e) =>
    typeof e.dutyRole === 'string' && !DUTY_ROLES.has(e.dutyRole)
      ? { problems: ['/dutyRole must be one of the SS12000 duty roles'] }
      : { problems: [] },
  Activity: (e) => {
    const problems: string[] = [];
    if (Array.isArray(e.groups) && e.groups.length === 0) problems.push('/groups must have at least one item');
    if (typeof e.activityType === 'string' && e.activityType !== 'Undervisning') {
      return { problems: ['/activityType is not used by DNP (only Undervisning)'], outOfScope: true };
    }
    return { problems };
  },
};

function describe(errors: ErrorObject[] | null | undefined): string[] {
  // Ajv's messages name the rule and the allowed values, never the instance value.
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/**
 * Validates entities against the reference JSON schemas (compiled once per process) plus the DNP rules. An invalid
 * entity is reported and not stored; it never stops the rest of the page.
 */
export class EntityValidator {
  private readonly validators: Record<ResourceType, ValidateFunction>;

  constructor() {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv, ['uuid', 'date-time']);
    for (const schema of [
      objectReferenceSchema,
      personCivicNoSchema,
      emailSchema,
      enrolmentSchema,
      groupMembershipSchema,
      dutyAssignmentSchema,
    ]) {
      ajv.addSchema(schema);
    }
    this.validators = {
      Organisation: ajv.compile(organisationSchema),
      Person: ajv.compile(personSchema),
      Group: ajv.compile(groupSchema),
      Duty: ajv.compile(dutySchema),
      Activity: ajv.compile(activitySchema),
    };
  }

  validate(type: ResourceType, entity: unknown): ValidationResult {
    const rawId = isObj(entity) ? entity.id : undefined;
    const id = typeof rawId === 'string' && UUID.test(rawId) ? rawId.toLowerCase() : undefined;
    const validate = this.validators[type];
    if (!validate(entity)) {
      return {
        valid: false,
        id,
        severity: 'Error',
        messageType: 'SchemaValidation',
        problems: describe(validate.errors),
      };
    }
    if (id === undefined) {
      // The schema's `uuid` format (ajv-formats) also accepts a `urn:uuid:` prefix; such an id cannot be stored.
      return {
        valid: false,
        severity: 'Error',
        messageType: 'SchemaValidation',
        problems: ['/id must be a plain UUID'],
      };
    }
    const e = entity as Obj;
    const rule = dnpRules[type](e);
    if (rule.problems.length > 0) {
      return rule.outOfScope
        ? { valid: false, id, severity: 'Warning', messageType: 'OutOfDnpScope', problems: rule.problems }
        : { valid: false, id, severity: 'Error', messageType: 'DnpRule', problems: rule.problems };
    }
    const meta = isObj(e.meta) ? e.meta : undefined;
    return { valid: true, id, modified: typeof meta?.modified === 'string' ? meta.modified : undefined };
  }
}
