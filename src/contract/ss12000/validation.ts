import type { InputProblem } from '../failure-types';
import { checkInteger, checkKeySegment, InputProblems, isRecord } from '../input-rules';
import { isResourceType, syncSteps, type SyncStep } from './types';

/**
 * Validators of everything a caller (or a forged continue-as-new) can hand the SS12000 workflows: the whole input,
 * its options and any carried/resume state. They accept `unknown`, never throw, and name fields, never values.
 */

/**
 * Bounds of the tuning options: no value may turn a wait into a tight loop (a 0-minute safety pass, a 0-minute
 * retry) or a number a timer cannot hold. Fractions are allowed where short waits are legitimate in tests and
 * simulations (seconds-long subscriptions); the lower bounds keep every wait at seconds or more.
 */
export const ss12000OptionBounds = {
  pageLimit: { min: 1, max: 10_000, integer: true },
  webhookQuietSeconds: { min: 0, max: 3_600 },
  overlapSeconds: { min: 0, max: 86_400 },
  // Up to ~19 years: "practically never", still a timer the server can hold.
  safetyPassMinutes: { min: 1, max: 10_000_000 },
  // A margin longer than a subscription's lifetime cannot loop: the next renewal then waits half the lifetime.
  renewBeforeExpiryHours: { min: 0.001, max: 2_160 },
  retryFailedPassMinutes: { min: 0.1, max: 1_440 },
  registrationRetryMinutes: { min: 1, max: 10_080 },
} as const;

const ORGANISATION_ID = /^[A-Za-z0-9-]{2,40}$/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const PASS_KINDS = ['full', 'webhook', 'catch-up', 'retry', 'safety'];
const STEP_STATUSES = ['SUCCEEDED', 'FAILED', 'SKIPPED'];
const COUNTER = { min: 0, max: 1_000_000_000_000 };
const MAX_TEXT = 2_000;

export function validateSs12000SubscriptionInput(input: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) {
    problems.add('', 'must be an object');
    return problems.list;
  }
  const huvudman = checkKeySegment(problems, 'huvudman', input.huvudman, { maxLength: 100 });
  if (typeof input.organisationId !== 'string' || !ORGANISATION_ID.test(input.organisationId))
    problems.add('organisationId', 'must be 2-40 letters, digits or dashes');
  checkUrl(problems, 'apiBaseUrl', input.apiBaseUrl, true);
  checkUrl(problems, 'registrationCallbackUrl', input.registrationCallbackUrl, true);
  if (input.resourceTypes !== undefined) checkResourceTypes(problems, 'resourceTypes', input.resourceTypes);
  if (input.subscriptionName !== undefined) checkText(problems, 'subscriptionName', input.subscriptionName, 200);
  if (input.options !== undefined) checkOptions(problems, input.options);
  if (input.carried !== undefined) checkCarried(problems, input.carried, huvudman);
  return problems.list;
}

export function validateSs12000SyncPassInput(input: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(input)) {
    problems.add('', 'must be an object');
    return problems.list;
  }
  checkKeySegment(problems, 'huvudman', input.huvudman, { maxLength: 100 });
  checkUrl(problems, 'apiBaseUrl', input.apiBaseUrl, true);
  checkInteger(problems, 'passNumber', input.passNumber, { min: 1, max: 1_000_000_000 });
  checkOneOf(problems, 'kind', input.kind, PASS_KINDS);
  const steps = checkSteps(problems, 'steps', input.steps);
  if (steps?.length === 0) problems.add('steps', 'must name at least one step');
  checkResourceTypes(problems, 'keptTypes', input.keptTypes);
  checkInteger(problems, 'pageLimit', input.pageLimit, ss12000OptionBounds.pageLimit);
  if (!isRecord(input.since)) problems.add('since', 'must be an object of step → date-time');
  else
    for (const [step, at] of Object.entries(input.since)) {
      if (!(syncSteps as readonly string[]).includes(step)) problems.add(`since/${step}`, 'is not a sync step');
      else if (at !== undefined) checkInstant(problems, `since/${step}`, at);
    }
  if (input.resume !== undefined) checkResume(problems, input.resume, steps);
  return problems.list;
}

/** The `ss12000Webhook` signal as the ingress sends it; a forged or malformed one is ignored and counted. */
export function validateSs12000WebhookSignal(signal: unknown): InputProblem[] {
  const problems = new InputProblems();
  if (!isRecord(signal)) {
    problems.add('', 'must be an object');
    return problems.list;
  }
  if (!Array.isArray(signal.modifiedTypes) || signal.modifiedTypes.length > 20)
    problems.add('modifiedTypes', 'must be a list of at most 20 resource types');
  else if (!signal.modifiedTypes.every(isResourceType)) problems.add('modifiedTypes', 'must hold resource types only');
  if (typeof signal.deleted !== 'boolean') problems.add('deleted', 'must be true or false');
  checkInstant(problems, 'receivedAt', signal.receivedAt);
  return problems.list;
}

function checkOptions(problems: InputProblems, options: unknown): void {
  if (!isRecord(options)) {
    problems.add('options', 'must be an object');
    return;
  }
  for (const [name, bounds] of Object.entries(ss12000OptionBounds)) {
    const value = options[name];
    if (value === undefined) continue;
    const integer = 'integer' in bounds;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < bounds.min || value > bounds.max)
      problems.add(`options/${name}`, `must be a number from ${bounds.min} to ${bounds.max}`);
    else if (integer && !Number.isInteger(value)) problems.add(`options/${name}`, 'must be a whole number');
  }
}

function checkCarried(problems: InputProblems, carried: unknown, huvudman: string | undefined): void {
  const path = 'carried';
  if (!isRecord(carried)) {
    problems.add(path, 'must be an object');
    return;
  }
  const registration = carried.registration;
  if (!isRecord(registration)) problems.add(`${path}/registration`, 'must be an object');
  else {
    if (registration.huvudman !== huvudman) problems.add(`${path}/registration/huvudman`, 'must equal huvudman');
    // Only a subscribed run continues as new: any other carried registration is forged.
    if (registration.status !== 'SUBSCRIBED') problems.add(`${path}/registration/status`, 'must be SUBSCRIBED');
    checkOptionalText(problems, `${path}/registration/subscriptionId`, registration.subscriptionId, 200);
    if (registration.expires !== undefined)
      checkInstant(problems, `${path}/registration/expires`, registration.expires);
    checkOptionalText(problems, `${path}/registration/reason`, registration.reason, MAX_TEXT);
  }
  const sub = carried.subscription;
  if (!isRecord(sub)) problems.add(`${path}/subscription`, 'must be an object (a carried run is subscribed)');
  else {
    checkText(problems, `${path}/subscription/id`, sub.id, 200);
    for (const at of ['expires', 'since'])
      if (sub[at] !== undefined) checkInstant(problems, `${path}/subscription/${at}`, sub[at]);
    checkUrl(problems, `${path}/subscription/target`, sub.target, false);
  }
  if (!isRecord(carried.types)) problems.add(`${path}/types`, 'must be an object of step → state');
  else
    for (const [step, state] of Object.entries(carried.types)) checkTypeState(problems, `${path}/types`, step, state);
  const pending = carried.pending;
  if (!isRecord(pending)) problems.add(`${path}/pending`, 'must be an object');
  else {
    checkSteps(problems, `${path}/pending/steps`, pending.steps);
    checkOneOf(problems, `${path}/pending/kind`, pending.kind, PASS_KINDS);
    if (pending.firstAt !== undefined) checkInstant(problems, `${path}/pending/firstAt`, pending.firstAt);
  }
  for (const counter of [
    'passNumber',
    'webhooksReceived',
    'webhooksCoalesced',
    'consecutiveFailures',
    'renewals',
    'recreations',
  ])
    checkInteger(problems, `${path}/${counter}`, carried[counter], COUNTER);
  checkInteger(problems, `${path}/webhooksRejected`, carried.webhooksRejected, { ...COUNTER, optional: true });
  for (const at of ['retryAt', 'renewRetryAt'])
    if (carried[at] !== undefined) checkInstant(problems, `${path}/${at}`, carried[at]);
  const last = carried.lastPass;
  if (last !== undefined) {
    if (!isRecord(last)) problems.add(`${path}/lastPass`, 'must be an object');
    else {
      checkInteger(problems, `${path}/lastPass/passNumber`, last.passNumber, COUNTER);
      checkOneOf(problems, `${path}/lastPass/kind`, last.kind, PASS_KINDS);
      checkOneOf(problems, `${path}/lastPass/outcome`, last.outcome, ['SUCCEEDED', 'FAILED']);
      checkInstant(problems, `${path}/lastPass/finishedAt`, last.finishedAt);
    }
  }
}

function checkTypeState(problems: InputProblems, path: string, step: string, state: unknown): void {
  const at = `${path}/${step}`;
  if (!(syncSteps as readonly string[]).includes(step)) return problems.add(at, 'is not a sync step');
  if (!isRecord(state)) return problems.add(at, 'must be an object');
  if (state.watermark !== undefined) checkInstant(problems, `${at}/watermark`, state.watermark);
  checkInteger(problems, `${at}/lastPassNumber`, state.lastPassNumber, { ...COUNTER, optional: true });
  if (state.lastOutcome !== undefined) checkOutcome(problems, `${at}/lastOutcome`, state.lastOutcome);
}

function checkResume(problems: InputProblems, resume: unknown, steps: SyncStep[] | undefined): void {
  if (!isRecord(resume)) return problems.add('resume', 'must be an object');
  const stepIndex = checkInteger(problems, 'resume/stepIndex', resume.stepIndex, {
    min: 0,
    max: Math.max(0, (steps?.length ?? 1) - 1),
  });
  if (!Array.isArray(resume.outcomes)) problems.add('resume/outcomes', 'must be a list of step outcomes');
  else {
    resume.outcomes.forEach((o: unknown, i) => {
      checkOutcome(problems, `resume/outcomes/${i}`, o);
      if (isRecord(o) && steps && o.step !== steps[i]) problems.add(`resume/outcomes/${i}/step`, 'must match steps');
    });
    // The outcome of every finished step, and perhaps the one of the step being paged.
    if (stepIndex !== undefined && resume.outcomes.length !== stepIndex && resume.outcomes.length !== stepIndex + 1)
      problems.add('resume/outcomes', 'must hold one outcome per step up to stepIndex');
  }
  checkOptionalText(problems, 'resume/pageToken', resume.pageToken, 4_096);
  if (resume.stepStartedAt !== undefined) checkInstant(problems, 'resume/stepStartedAt', resume.stepStartedAt);
}

function checkOutcome(problems: InputProblems, path: string, outcome: unknown): void {
  if (!isRecord(outcome)) return problems.add(path, 'must be an object');
  checkOneOf(problems, `${path}/step`, outcome.step, syncSteps);
  checkOneOf(problems, `${path}/status`, outcome.status, STEP_STATUSES);
  for (const count of ['pages', 'fetched', 'stored', 'invalid', 'deleted'])
    checkInteger(problems, `${path}/${count}`, outcome[count], COUNTER);
  for (const at of ['startedAt', 'finishedAt'])
    if (outcome[at] !== undefined) checkInstant(problems, `${path}/${at}`, outcome[at]);
  if (outcome.error !== undefined) {
    if (!isRecord(outcome.error)) problems.add(`${path}/error`, 'must be an object');
    else {
      checkText(problems, `${path}/error/type`, outcome.error.type, 200);
      checkText(problems, `${path}/error/message`, outcome.error.message, MAX_TEXT);
    }
  }
}

function checkSteps(problems: InputProblems, path: string, value: unknown): SyncStep[] | undefined {
  if (
    !Array.isArray(value) ||
    !value.every((s) => (syncSteps as readonly unknown[]).includes(s)) ||
    new Set(value).size !== value.length
  ) {
    problems.add(path, `must be a list of distinct steps from ${syncSteps.join(', ')}`);
    return undefined;
  }
  return value as SyncStep[];
}

function checkResourceTypes(problems: InputProblems, path: string, value: unknown): void {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every(isResourceType) ||
    new Set(value).size !== value.length
  )
    problems.add(
      path,
      'must be a non-empty list of distinct resource types (Organisation, Person, Group, Duty, Activity)',
    );
}

function checkUrl(problems: InputProblems, path: string, value: unknown, optional: boolean): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.length > 2_048 || !HTTP_URL.test(value))
    problems.add(path, 'must be an absolute http(s) URL of at most 2048 characters');
}

function checkInstant(problems: InputProblems, path: string, value: unknown): void {
  if (
    typeof value !== 'string' ||
    value.length > 40 ||
    !/^\d{4}-\d{2}-\d{2}T/.test(value) ||
    !isFinite(Date.parse(value))
  )
    problems.add(path, 'must be an ISO 8601 date-time');
}

function checkOneOf(problems: InputProblems, path: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) problems.add(path, `must be one of ${allowed.join(', ')}`);
}

function checkText(problems: InputProblems, path: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    problems.add(path, `must be text of 1-${max} characters`);
}

function checkOptionalText(problems: InputProblems, path: string, value: unknown, max: number): void {
  if (value !== undefined) checkText(problems, path, value, max);
}
