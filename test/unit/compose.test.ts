import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { s3OptionsFromEnv } from '../../src/blobs/from-config';
import { commands } from '../../src/cli/main';
import { projectDir } from '../../src/config/ferje-config';
import { searchAttributeRegistrations } from '../../src/contract/search-attributes';
import { ferjeMetrics } from '../../src/metrics/catalog';
import { integrations } from '../../src/platform/registry';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  container_name?: string;
  stop_grace_period?: string;
  secrets?: string[];
  deploy?: { replicas?: number };
  volumes?: string[];
}

// No Docker engine runs here, so the file is checked by parsing it: services, images, ports, order, environment.
const compose = parse(readFileSync(path.join(projectDir, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};
const s = compose.services;
const seconds = (d: string): number => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);

describe('docker-compose.yml', () => {
  it('has the cluster and Ferje services', () => {
    assert.deepEqual(Object.keys(s).sort(), [
      'codec-server',
      'documents',
      'grafana',
      'ingress',
      'postgresql',
      'prometheus',
      's3',
      'ss12000-db',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-search-attributes',
      'temporal-ui',
      'worker',
      'worker-ss12000',
    ]);
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(s)) {
      assert.ok(service.image, `${name} has an image`);
      assert.match(service.image, /^[\w./-]+:(\$\{[A-Z_]+:-[\w.]+\}|[\w.]+)$/, `${name}: ${service.image}`);
      assert.doesNotMatch(service.image, /:latest$/);
    }
  });

  it('starts things in dependency order with health and completion conditions', () => {
    const dep = (svc: string, on: string): string | undefined => s[svc].depends_on?.[on]?.condition;
    assert.equal(dep('temporal-schema', 'postgresql'), 'service_healthy');
    assert.equal(dep('temporal', 'temporal-schema'), 'service_completed_successfully');
    assert.equal(dep('temporal-namespace', 'temporal'), 'service_healthy');
    assert.equal(dep('temporal-search-attributes', 'temporal-namespace'), 'service_completed_successfully');
    assert.equal(dep('temporal-ui', 'temporal'), 'service_healthy');
    for (const ferje of ['worker', 'worker-ss12000', 'ingress', 'codec-server', 'documents']) {
      assert.equal(dep(ferje, 'temporal-search-attributes'), 'service_completed_successfully', ferje);
      assert.equal(dep(ferje, 's3'), 'service_healthy', ferje);
      assert.equal(dep(ferje, 'ss12000-db'), 'service_healthy', ferje);
    }
    assert.ok(s.postgresql.healthcheck && s.temporal.healthcheck && s.s3.healthcheck && s['ss12000-db'].healthcheck);
  });

  it('sets up both SQL schemas and registers exactly the contract search attributes', () => {
    const schema = String(s['temporal-schema'].command);
    assert.match(schema, /--database temporal setup-schema/);
    assert.match(schema, /--database temporal_visibility setup-schema/);
    const script = String(s['temporal-search-attributes'].command);
    for (const sa of searchAttributeRegistrations) assert.ok(script.includes(sa.name), sa.name);
    const listed = /for name in ([\w ]+);/.exec(script)?.[1].split(' ') ?? [];
    assert.deepEqual(listed.sort(), searchAttributeRegistrations.map((sa) => sa.name).sort());
  });

  it('builds the Ferje services from the Dockerfile with commands the CLI knows', () => {
    const dockerfile = readFileSync(path.join(projectDir, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /ENTRYPOINT \["bin\/ferje"\]/);
    assert.match(dockerfile, /npm run build/);
    const known = new Set(commands.map((c) => c.name));
    for (const name of ['worker', 'worker-ss12000', 'ingress', 'codec-server', 'documents']) {
      assert.equal(s[name].build, '.');
      const command = Array.isArray(s[name].command) ? s[name].command[0] : s[name].command;
      assert.ok(known.has(String(command)), `${name} runs "ferje ${String(command)}"`);
      const env = s[name].environment ?? {};
      assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.equal(env.NODE_ENV, 'production');
      assert.equal(env.FERJE_CODEC_KEY_FILE, '/run/secrets/ferje-codec-keys');
      assert.ok(s[name].secrets?.includes('ferje-codec-keys'), `${name} has the codec keys`);
      assert.ok(
        s[name].volumes?.some((v) => v.startsWith('ferje-data:')),
        `${name} shares the data volume (webhook secret, keys)`,
      );
    }
    assert.ok(compose.secrets['ferje-codec-keys'].file);
    assert.ok(compose.secrets['ferje-documents-keys'].file);
    assert.equal(s.documents.environment?.FERJE_DOCUMENTS_KEYS_FILE, '/run/secrets/ferje-documents-keys');
    assert.ok(s.documents.ports?.[0].startsWith('127.0.0.1:'), 'the documents API is published on loopback');
  });

  it('lets the worker scale out and drain before it is killed', () => {
    assert.equal(s.worker.container_name, undefined);
    assert.equal(s.worker.ports, undefined);
    for (const name of ['worker', 'worker-ss12000']) {
      const grace = seconds(String(s[name].environment?.FERJE_SHUTDOWN_GRACE_TIME));
      assert.ok(
        seconds(s[name].stop_grace_period ?? '0s') > grace,
        `${name}: stop_grace_period exceeds the grace time`,
      );
    }
  });

  it('runs every integration on exactly one worker service, and SS12000 scales out like the others', () => {
    const served = (name: string): string[] => String(s[name].environment?.FERJE_WORKER_INTEGRATIONS).split(',');
    const all = [...served('worker'), ...served('worker-ss12000')].sort();
    assert.deepEqual(all, integrations.map((i) => i.name).sort());
    assert.deepEqual(served('worker-ss12000'), ['ss12000']);
    for (const name of ['worker', 'worker-ss12000']) {
      assert.equal(s[name].deploy?.replicas, undefined, `${name} has no fixed replica count`);
      assert.equal(s[name].container_name, undefined);
      assert.equal(s[name].ports, undefined);
    }
  });

  it('gives every Ferje service the shared stores: the bucket of the S3 service and the SS12000 database', () => {
    const dollar = (value: unknown): string => String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
    const s3Command = String(s.s3.command);
    const bucketDir = /mkdir -p (\S+)/.exec(s3Command)?.[1];
    const dataDir = /posix (\S+)/.exec(s3Command)?.[1];
    const s3Port = /--port :(\d+)/.exec(s3Command)?.[1];
    assert.ok(
      s.s3.volumes?.some((v) => v.endsWith(`:${dataDir}`)),
      'the S3 data directory is a volume',
    );
    const db = s['ss12000-db'].environment ?? {};
    for (const name of ['worker', 'worker-ss12000', 'ingress', 'codec-server']) {
      const env = Object.fromEntries(
        Object.entries(s[name].environment ?? {}).map(([k, v]) => [k, dollar(v)]),
      ) as Record<string, string>;
      const blobs = s3OptionsFromEnv(env);
      assert.ok(blobs, `${name} uses the S3 blob store`);
      assert.equal(`${dataDir}/${blobs.bucket}`, bucketDir, `${name}: the bucket the S3 service creates`);
      assert.equal(blobs.client.endpoint, `http://s3:${s3Port}`);
      assert.equal(blobs.client.forcePathStyle, true);
      assert.deepEqual(blobs.client.credentials, {
        accessKeyId: dollar(s.s3.environment?.ROOT_ACCESS_KEY_ID),
        secretAccessKey: dollar(s.s3.environment?.ROOT_SECRET_ACCESS_KEY),
      });
      const store = new URL(env.FERJE_SS12000_STORE);
      assert.equal(store.protocol, 'postgres:');
      assert.equal(store.host, 'ss12000-db:5432');
      assert.equal(store.username, db.POSTGRES_USER);
      assert.equal(store.password, dollar(db.POSTGRES_PASSWORD));
      assert.equal(store.pathname, `/${db.POSTGRES_DB}`);
    }
    assert.ok(
      s['ss12000-db'].ports?.every((p) => p.startsWith('127.0.0.1:')),
      'the database only on loopback',
    );
    assert.equal(s.s3.ports, undefined, 'the S3 store is reached inside the compose network');
  });

  it('makes the codec server demand a credential, from a token directory it re-reads', () => {
    const env = s['codec-server'].environment ?? {};
    const tokenFile = String(env.FERJE_CODEC_TOKEN_FILE);
    assert.ok(
      s['codec-server'].volumes?.some((v) => v.endsWith(`:${path.posix.dirname(tokenFile)}:ro`)),
      'the token file lives in a read-only mounted directory',
    );
    assert.ok(env.FERJE_CODEC_NAMESPACES, 'an explicit namespace allow-list');
  });

  it('runs Prometheus with the alert rules and scrapes every Ferje process on its metrics port', () => {
    const mount = (svc: string, target: string): string | undefined =>
      s[svc].volumes?.find((v) => v.split(':')[1] === target)?.split(':')[0];
    const opsDir = mount('prometheus', '/etc/prometheus/ferje');
    assert.equal(opsDir, './ops/prometheus');
    const configArg = (s.prometheus.command as string[]).find((a) => a.startsWith('--config.file='));
    assert.equal(configArg, '--config.file=/etc/prometheus/ferje/prometheus.yml');
    const config = parse(readFileSync(path.join(projectDir, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        dns_sd_configs?: { names: string[]; port: number }[];
        static_configs?: { targets: string[] }[];
      }[];
    };
    assert.deepEqual(config.rule_files, ['/etc/prometheus/ferje/alerts.yml']);
    assert.ok(readFileSync(path.join(projectDir, 'ops/prometheus/alerts.yml'), 'utf8').includes('groups:'));
    const scraped = config.scrape_configs.flatMap((c) => [
      ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
      ...(c.static_configs ?? []).flatMap((st) => st.targets),
    ]);
    for (const name of ['worker', 'worker-ss12000', 'ingress']) {
      const port = String(s[name].environment?.FERJE_METRICS_ADDRESS).split(':').at(-1);
      assert.ok(scraped.includes(`${name}:${port}`), `${name} is scraped on ${port}`);
      assert.match(String(s[name].environment?.FERJE_METRICS_ADDRESS), /^0\.0\.0\.0:\d+$/);
    }
    assert.ok(s.prometheus.ports?.[0].startsWith('127.0.0.1:'));
  });

  it('provisions Grafana with the Prometheus data source and the committed Ferje dashboard', () => {
    const mounts = new Map(s.grafana.volumes?.map((v) => [v.split(':')[1], v.split(':')[0]]));
    assert.equal(mounts.get('/etc/grafana/provisioning'), './ops/grafana/provisioning');
    const providers = parse(
      readFileSync(path.join(projectDir, 'ops/grafana/provisioning/dashboards/ferje.yml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    const dashboardsDir = providers.providers[0].options.path;
    const hostDir = mounts.get(dashboardsDir);
    assert.ok(hostDir, `the provider's folder ${dashboardsDir} is mounted`);
    const dashboard = JSON.parse(readFileSync(path.join(projectDir, hostDir, 'ferje.json'), 'utf8')) as {
      uid: string;
      panels: { targets?: { expr: string; datasource: { uid: string } }[] }[];
    };
    assert.equal(dashboard.uid, 'ferje-overview');
    const datasources = parse(
      readFileSync(path.join(projectDir, 'ops/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string; url: string }[] };
    assert.equal(datasources.datasources[0].url, 'http://prometheus:9090');
    const targets = dashboard.panels.flatMap((p) => p.targets ?? []);
    assert.ok(targets.length >= 20);
    for (const t of targets) assert.equal(t.datasource.uid, datasources.datasources[0].uid);
    // Every Ferje metric the dashboard plots is one Ferje emits.
    const known = new Set<string>(Object.values(ferjeMetrics).map((m) => m.name));
    for (const t of targets) {
      for (const [name] of t.expr.matchAll(/\bferje_[a-z0-9_]+/g)) {
        assert.ok(known.has(name.replace(/_(total|bucket|count|sum)$/, '')), `${name} is in the catalog`);
      }
    }
    assert.ok(s.grafana.ports?.[0].startsWith('127.0.0.1:'));
  });

  it('wires the UI to the codec server and keeps admin ports on loopback', () => {
    const codecPort = s['codec-server'].ports?.[0].split(':').at(-1);
    assert.equal(s['temporal-ui'].environment?.TEMPORAL_CODEC_ENDPOINT, `http://localhost:${codecPort}`);
    const uiPort = s['temporal-ui'].ports?.[0].split(':').at(-2);
    assert.equal(s['codec-server'].environment?.FERJE_CODEC_CORS_ORIGINS, `http://localhost:${uiPort}`);
    assert.deepEqual(s.temporal.ports, ['127.0.0.1:7233:7233']);
    assert.ok(s['temporal-ui'].ports?.[0].startsWith('127.0.0.1:'));
    assert.ok(s['codec-server'].ports?.[0].startsWith('127.0.0.1:'));
  });
});
