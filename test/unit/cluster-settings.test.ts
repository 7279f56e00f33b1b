import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { sqlToolEnvironment } from '../../src/cluster/schema';
import { clusterSettings } from '../../src/cluster/settings';
import { defaultServerPorts, temporalServerEnvironment } from '../../src/cluster/temporal-server';
import { projectDir } from '../../src/config/ferje-config';
import { searchAttributeRegistrations } from '../../src/contract/search-attributes';

interface Service {
  image: string;
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: string[];
  command?: string[] | string;
}

// `docker compose` and `ferje cluster up` must run the same cluster: checked here value by value, from the parsed file.
const compose = parse(readFileSync(path.join(projectDir, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const s = compose.services;

/** `${NAME:-default}` → default; a literal stays itself. */
const defaulted = (value: string | number | undefined): string => {
  const text = String(value);
  return /^\$\{[A-Z_]+:-([^}]*)\}$/.exec(text)?.[1] ?? text;
};
const imageTag = (service: Service): string => defaulted(service.image.split(':').slice(1).join(':'));
const script = (service: Service): string =>
  Array.isArray(service.command) ? service.command.join('\n') : String(service.command);

const nativeSql = { host: '127.0.0.1', port: 5432, user: 'temporal', password: 'temporal' };

describe('the native cluster and docker-compose.yml agree', () => {
  it('run the same Temporal server version in every Temporal image', () => {
    const temporalImages = Object.entries(s).filter(([, svc]) => /^temporalio\/(server|admin-tools):/.test(svc.image));
    assert.deepEqual(temporalImages.map(([name]) => name).sort(), [
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-search-attributes',
    ]);
    for (const [name, svc] of temporalImages) {
      assert.equal(imageTag(svc), clusterSettings.temporalServerVersion, `${name}: ${svc.image}`);
    }
    assert.match(s.temporal.image, /^temporalio\/server:/);
  });

  it('run the same Postgres major version, user and password', () => {
    assert.match(s.postgresql.image, /^postgres:/);
    assert.equal(Number(imageTag(s.postgresql)), clusterSettings.postgresMajor);
    assert.equal(s.postgresql.environment?.POSTGRES_USER, clusterSettings.postgresUser);
    assert.equal(defaulted(s.postgresql.environment?.POSTGRES_PASSWORD), clusterSettings.defaultPostgresPassword);
  });

  it('configure the server alike: every variable compose sets, the native server gets with the same meaning', () => {
    const native = temporalServerEnvironment(nativeSql, defaultServerPorts);
    const composeEnv = s.temporal.environment ?? {};
    for (const name of Object.keys(composeEnv)) assert.ok(name in native, `native server lacks ${name}`);
    assert.equal(composeEnv.DB, native.DB);
    assert.equal(native.DB, clusterSettings.sqlPlugin);
    assert.equal(String(composeEnv.DB_PORT), native.DB_PORT);
    assert.equal(composeEnv.POSTGRES_USER, native.POSTGRES_USER);
    assert.equal(defaulted(composeEnv.POSTGRES_PWD), native.POSTGRES_PWD);
    // Same address roles: the Postgres host, and a frontend published on the container's default port.
    assert.equal(composeEnv.POSTGRES_SEEDS, 'postgresql');
    assert.equal(native.POSTGRES_SEEDS, nativeSql.host);
    assert.deepEqual(s.temporal.ports, [`127.0.0.1:${native.FRONTEND_GRPC_PORT}:${defaultServerPorts.frontendGrpc}`]);
  });

  it('use the same dynamic config file', () => {
    // The container resolves DYNAMIC_CONFIG_FILE_PATH from its working directory /etc/temporal.
    const inContainer = path.posix.join('/etc/temporal', String(s.temporal.environment?.DYNAMIC_CONFIG_FILE_PATH));
    const mount = (s.temporal.volumes ?? [])
      .map((v) => v.split(':'))
      .find(([, target]) => inContainer.startsWith(`${target}/`));
    assert.ok(mount, `a volume provides ${inContainer}`);
    const [source, target] = mount;
    const onHost = path.join(projectDir, source, path.posix.relative(target, inContainer));
    assert.equal(onHost, path.join(projectDir, clusterSettings.dynamicConfigFile));
    const native = temporalServerEnvironment(nativeSql, defaultServerPorts);
    assert.equal(native.DYNAMIC_CONFIG_FILE_PATH, onHost);
    assert.match(readFileSync(onHost, 'utf8'), /frontend\.enableUpdateWorkflowExecution/);
  });

  it('set up the same databases with the same SQL plugin and schema directories', () => {
    const tool = s['temporal-schema'];
    const nativeTool = sqlToolEnvironment(nativeSql);
    for (const name of Object.keys(tool.environment ?? {})) assert.ok(name in nativeTool, `native tool lacks ${name}`);
    assert.equal(tool.environment?.SQL_PLUGIN, nativeTool.SQL_PLUGIN);
    const text = script(tool);
    const { persistence, visibility } = clusterSettings.databases;
    assert.match(text, new RegExp(`for db in ${persistence} ${visibility};`));
    assert.match(text, new RegExp(`--database ${persistence} update-schema -d \\S+/postgresql/v12/temporal/versioned`));
    assert.match(
      text,
      new RegExp(`--database ${visibility} update-schema -d \\S+/postgresql/v12/visibility/versioned`),
    );
  });

  it('create the same namespace with the same retention and the contract search attributes', () => {
    const ns = s['temporal-namespace'];
    assert.equal(defaulted(ns.environment?.NAMESPACE), clusterSettings.namespace);
    assert.match(script(ns), new RegExp(`--retention ${clusterSettings.retention}(\\s|$)`));
    const sa = s['temporal-search-attributes'];
    assert.equal(defaulted(sa.environment?.NAMESPACE), clusterSettings.namespace);
    const listed = /for name in ([\w ]+);/.exec(script(sa))?.[1].split(' ') ?? [];
    assert.deepEqual(listed.sort(), clusterSettings.searchAttributes.map((a) => a.name).sort());
    assert.deepEqual(clusterSettings.searchAttributes, searchAttributeRegistrations);
    assert.match(script(sa), /--type Keyword/);
    assert.ok(clusterSettings.searchAttributes.every((a) => a.type === 'Keyword'));
  });
});
