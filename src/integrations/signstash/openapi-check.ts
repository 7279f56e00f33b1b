import type { WireProfile } from './wire-profile';

/**
 * Compares a wire profile with the OpenAPI document a proxy publishes (Swagger 2 or OpenAPI 3, as springfox and
 * springdoc emit them): the three endpoints exist with their methods, every field the profile names exists in the
 * request/answer schemas, and every status value is in the schema's enum where one is given. What cannot be checked
 * (a schema without properties, no enum) is reported as a note, never silently passed.
 */
export interface OpenApiCheckReport {
  /** Where the document came from. */
  source: string;
  confirmed: string[];
  mismatches: string[];
  notes: string[];
}

type Json = Record<string, unknown>;
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  $ref?: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document looks like Swagger 2 or OpenAPI 3 (anything else is "no OpenAPI here", e.g. an HTML page). */
export function isOpenApiDocument(doc: unknown): doc is Json {
  return isObject(doc) && (typeof doc.openapi === 'string' || doc.swagger === '2.0') && isObject(doc.paths);
}

export function checkProfileAgainstOpenApi(profile: WireProfile, doc: Json, source: string): OpenApiCheckReport {
  const report: OpenApiCheckReport = { source, confirmed: [], mismatches: [], notes: [] };
  const api = new OpenApiView(doc);
  const start = api.operation(profile, 'start', report);
  const status = api.operation(profile, 'status', report);
  const result = api.operation(profile, 'result', report);

  if (start) {
    const body = api.requestSchema(start);
    if (body) api.fields(body, named(profile.request, 'request'), 'start request', report);
    else report.notes.push('start request: the document gives no JSON body schema; request fields not checked');
    const answer = api.answerSchema(start, ['202', '200', '201']);
    if (answer) checkOperation(api, answer, profile, 'start answer', report);
    else report.notes.push('start answer: no 2xx JSON schema in the document; operation fields not checked');
  }
  if (status) {
    const answer = api.answerSchema(status, ['200']);
    const operation = answer && statusOperation(api, answer, profile, report);
    if (!answer) report.notes.push('status answer: no 200 JSON schema in the document; operation fields not checked');
    else if (operation) checkOperation(api, operation, profile, 'status answer', report);
  }
  if (result) {
    const answer = api.answerSchema(result, ['200']);
    if (!answer) {
      report.notes.push('result answer: no 200 JSON schema in the document; result fields not checked');
    } else {
      const props = api.fields(answer, named(profile.result, 'result'), 'result answer', report);
      if (props) {
        api.enumContains(props[profile.result.status], profile.statusValues, 'statusValues', 'result answer', report);
        const list = props[profile.result.documents] ? api.resolve(props[profile.result.documents]) : undefined;
        if (list && list.type === 'array' && list.items) {
          const docProps = api.fields(
            api.resolve(list.items),
            named(profile.document, 'document'),
            `result ${profile.result.documents}[]`,
            report,
          );
          if (docProps) {
            api.enumContains(
              docProps[profile.document.signStatus],
              profile.signStatusValues,
              'signStatusValues',
              `result ${profile.result.documents}[]`,
              report,
            );
          }
        } else if (list) {
          report.mismatches.push(
            `result answer: ${profile.result.documents} (profile /result/documents) is not an array in the document`,
          );
        }
      }
    }
  }
  return report;
}

/** The operation schema inside the status answer, if the answer's shape (list or object) is the profile's. */
function statusOperation(
  api: OpenApiView,
  answer: Schema,
  profile: WireProfile,
  report: OpenApiCheckReport,
): Schema | undefined {
  const isList = answer.type === 'array' && answer.items !== undefined;
  if (profile.endpoints.status.answer === 'list') {
    if (isList) {
      report.confirmed.push('status answer is a list of operations');
      return api.resolve(answer.items!);
    }
    report.mismatches.push(
      'status answer: profile /endpoints/status/answer is "list" but the document answers one object',
    );
    return undefined;
  }
  if (isList) {
    report.mismatches.push(
      'status answer: profile /endpoints/status/answer is "object" but the document answers a list',
    );
    return undefined;
  }
  return answer;
}

function checkOperation(
  api: OpenApiView,
  schema: Schema,
  profile: WireProfile,
  where: string,
  report: OpenApiCheckReport,
): void {
  const props = api.fields(schema, named(profile.operation, 'operation'), where, report);
  if (props) api.enumContains(props[profile.operation.status], profile.statusValues, 'statusValues', where, report);
}

/** The profile's field names of one section, with their JSON pointers (fields named `null` are not used). */
function named(section: Record<string, string | null>, pointer: string): { field: string; pointer: string }[] {
  return Object.entries(section)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([key, field]) => ({ field, pointer: `/${pointer}/${key}` }));
}

class OpenApiView {
  private readonly prefixes: string[];

  constructor(private readonly doc: Json) {
    const prefixes = new Set<string>(['']);
    if (typeof doc.basePath === 'string') prefixes.add(trimSlash(doc.basePath));
    for (const server of Array.isArray(doc.servers) ? doc.servers : []) {
      const url = isObject(server) && typeof server.url === 'string' ? server.url : undefined;
      if (url !== undefined) prefixes.add(trimSlash(new URL(url, 'http://relative.invalid').pathname));
    }
    this.prefixes = [...prefixes];
  }

  /** The operation object of an endpoint, or a mismatch saying what is missing. */
  operation(profile: WireProfile, which: keyof WireProfile['endpoints'], report: OpenApiCheckReport): Json | undefined {
    const endpoint = profile.endpoints[which];
    const wanted = normalise(`${profile.basePath}${endpoint.path}`);
    const paths = this.doc.paths as Json;
    const key = Object.keys(paths).find((k) => this.prefixes.some((p) => normalise(`${p}${k}`) === wanted));
    const label = `${endpoint.method} ${profile.basePath}${endpoint.path}`;
    if (key === undefined) {
      report.mismatches.push(`${which}: ${label} (profile /endpoints/${which}) is not in the document`);
      return undefined;
    }
    const item = paths[key];
    const op = isObject(item) ? item[endpoint.method.toLowerCase()] : undefined;
    if (!isObject(op)) {
      const has = isObject(item)
        ? Object.keys(item)
            .filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m))
            .map((m) => m.toUpperCase())
        : [];
      report.mismatches.push(
        `${which}: ${key} exists but not with ${endpoint.method} (it has ${has.join(', ') || 'no operations'})`,
      );
      return undefined;
    }
    report.confirmed.push(`${which}: ${label} exists (document path ${key})`);
    return op;
  }

  requestSchema(op: Json): Schema | undefined {
    const body = op.requestBody;
    if (isObject(body)) return this.jsonContent(body.content);
    const parameters: unknown[] = Array.isArray(op.parameters) ? op.parameters : [];
    const param = parameters.find((p) => isObject(p) && p.in === 'body');
    return isObject(param) && isObject(param.schema) ? this.resolve(param.schema) : undefined;
  }

  answerSchema(op: Json, codes: string[]): Schema | undefined {
    const responses = isObject(op.responses) ? op.responses : {};
    for (const code of codes) {
      const response = responses[code];
      if (!isObject(response)) continue;
      if (isObject(response.schema)) return this.resolve(response.schema);
      const schema = this.jsonContent(response.content);
      if (schema) return schema;
    }
    return undefined;
  }

  /** The schema's properties if every named field is among them; mismatches/notes otherwise. */
  fields(
    schema: Schema,
    fields: { field: string; pointer: string }[],
    where: string,
    report: OpenApiCheckReport,
  ): Record<string, Schema> | undefined {
    const props = this.properties(schema);
    if (!props) {
      report.notes.push(`${where}: the document's schema lists no properties; fields not checked`);
      return undefined;
    }
    const missing = fields.filter((f) => !(f.field in props));
    for (const f of missing) {
      report.mismatches.push(
        `${where}: field "${f.field}" (profile ${f.pointer}) is not in the document's schema (it has ${Object.keys(props).join(', ')})`,
      );
    }
    const present = fields.filter((f) => f.field in props).map((f) => f.field);
    if (present.length > 0) report.confirmed.push(`${where}: has ${[...new Set(present)].join(', ')}`);
    return missing.length === 0 ? props : undefined;
  }

  enumContains(
    property: Schema | undefined,
    values: Record<string, string>,
    pointer: string,
    where: string,
    report: OpenApiCheckReport,
  ): void {
    const schema = property ? this.resolve(property) : undefined;
    if (!schema?.enum) {
      report.notes.push(`${where}: the status field has no enum in the document; values not checked`);
      return;
    }
    const allowed = schema.enum.map(String);
    const missing = Object.entries(values).filter(([, v]) => !allowed.includes(v));
    for (const [state, v] of missing) {
      report.mismatches.push(
        `${where}: status value "${v}" (profile /${pointer}/${state}) is not in the document's enum [${allowed.join(', ')}]`,
      );
    }
    if (missing.length === 0) report.confirmed.push(`${where}: enum has ${Object.values(values).join(', ')}`);
    const unknown = allowed.filter((v) => !Object.values(values).includes(v));
    if (unknown.length > 0) {
      report.notes.push(`${where}: the enum also has ${unknown.join(', ')}, which the profile does not map`);
    }
  }

  resolve(schema: Schema, depth = 0): Schema {
    if (depth > 16) return schema;
    if (typeof schema.$ref === 'string') {
      const target = schema.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>(
          (node, part) => (isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
          this.doc,
        );
      return isObject(target) ? this.resolve(target, depth + 1) : {};
    }
    return schema;
  }

  private properties(schema: Schema, depth = 0): Record<string, Schema> | undefined {
    const s = this.resolve(schema);
    const own = s.properties && isObject(s.properties) ? s.properties : undefined;
    const inherited = (s.allOf ?? []).map((part) => (depth < 16 ? this.properties(part, depth + 1) : undefined));
    if (!own && inherited.every((p) => p === undefined)) return undefined;
    return Object.assign({}, ...inherited.filter(Boolean), own) as Record<string, Schema>;
  }

  private jsonContent(content: unknown): Schema | undefined {
    if (!isObject(content)) return undefined;
    const type =
      Object.keys(content).find((t) => t === 'application/json') ??
      Object.keys(content).find((t) => t.includes('json')) ??
      Object.keys(content).find((t) => t === '*/*');
    const media = type ? content[type] : undefined;
    return isObject(media) && isObject(media.schema) ? this.resolve(media.schema) : undefined;
  }
}

/** Path parameters compare by position, not name; a trailing slash does not matter (the product's samples use both). */
function normalise(path: string): string {
  return trimSlash(path.replace(/\{[^}]*\}/g, '{}').replace(/\/{2,}/g, '/'));
}

function trimSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}
